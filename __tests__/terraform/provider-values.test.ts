import { ExtData } from "@msgpack/msgpack";
import type { SchemaBlock } from "../../scripts/provider-schema";
import {
  applyState,
  decodeValue,
  encodeValue,
  isUnknown,
  planState,
  readDataSource,
  type Value,
} from "../../scripts/offline-terraform/provider/values";
import { derInteger, makeServerCertificate } from "../../scripts/offline-terraform/provider/tls-cert";
import { providerServices } from "../../scripts/offline-terraform/provider/server";
import { X509Certificate } from "node:crypto";

// What the schema-only provider does to values (scripts/offline-terraform/provider/values.ts).
// Wire facts: hashicorp/terraform docs/plugin-protocol/object-wire-format.md at v1.11.4.

const BLOCK: SchemaBlock = {
  attributes: {
    name: { type: "string", required: true },
    id: { type: "string", computed: true },
    port: { type: "number", optional: true, computed: true },
    token: { type: "string", optional: true, write_only: true },
    labels: { type: ["map", "string"], computed: true },
    settings: { type: "dynamic", optional: true, computed: true },
  },
  block_types: {
    rule: {
      nesting_mode: "list",
      block: {
        attributes: { expr: { type: "string", required: true }, uid: { type: "string", computed: true } },
      },
    },
  },
};

const object = (v: Value) => v as Record<string, Value>;
const hasUnknown = (v: Value): boolean =>
  isUnknown(v) ||
  (Array.isArray(v)
    ? v.some(hasUnknown)
    : v !== null && typeof v === "object" && !(v instanceof Uint8Array) && Object.values(v).some(hasUnknown));

describe("the schema-only provider's values", () => {
  it("plans unknown for computed attributes the config left null, and nulls write-only ones", () => {
    const planned = object(
      planState(
        {
          name: "a",
          id: null,
          port: 8080,
          token: "s3cret",
          labels: null,
          settings: null,
          rule: [{ expr: "x", uid: null }],
        },
        BLOCK,
      ),
    );
    expect(planned.name).toBe("a");
    expect(planned.port).toBe(8080);
    expect(planned.token).toBeNull();
    expect([planned.id, planned.labels, planned.settings].every(isUnknown)).toBe(true);
    expect(isUnknown(object((planned.rule as Value[])[0]).uid)).toBe(true);
  });

  it("writes a new unknown as the bytes d4 00 00", () => {
    const bytes = encodeValue(
      planState(
        { name: "a", id: null },
        { attributes: { name: { type: "string", required: true }, id: { type: "string", computed: true } } },
      ),
    );
    expect(Buffer.from(bytes).includes(Buffer.from([0xd4, 0x00, 0x00]))).toBe(true);
  });

  it("makes every unknown known on apply, with the schema's type", () => {
    const planned = planState(
      {
        name: "a",
        id: null,
        port: null,
        token: null,
        labels: null,
        settings: null,
        rule: [{ expr: "x", uid: null }],
      },
      BLOCK,
    );
    const state = object(applyState(planned, BLOCK, "seed"));
    expect(typeof state.id).toBe("string");
    expect(typeof state.port).toBe("number");
    expect(state.labels).toEqual({});
    // A dynamic value travels as [type JSON, value].
    expect(new TextDecoder().decode((state.settings as Value[])[0] as Uint8Array)).toBe('"string"');
    expect(typeof object((state.rule as Value[])[0]).uid).toBe("string");
    expect(hasUnknown(state)).toBe(false);
  });

  it("passes through unknowns with refinements (extension 0x0c) and 64-bit integers as they came", () => {
    const refined = new ExtData(0x0c, new Uint8Array([0x81, 0x01, 0xc3]));
    const big = 2n ** 62n;
    const bytes = encodeValue({ name: refined, id: big });
    expect(Buffer.from(encodeValue(decodeValue(bytes)))).toEqual(Buffer.from(bytes));
    expect(object(decodeValue(bytes)).id).toBe(big);
  });

  it("reads a data source the same way twice from the same config", () => {
    const config = () => ({
      name: "a",
      id: null,
      port: null,
      token: null,
      labels: null,
      settings: null,
      rule: null,
    });
    const a = readDataSource(config(), BLOCK, "same-seed");
    expect(readDataSource(config(), BLOCK, "same-seed")).toEqual(a);
    expect(readDataSource(config(), BLOCK, "other-seed")).not.toEqual(a);
    expect(object(a).token).toBeNull();
  });

  it("keeps a destroy (null proposal) null", () => {
    expect(planState(null, BLOCK)).toBeNull();
    expect(applyState(null, BLOCK, "s")).toBeNull();
  });
});

// go-plugin's AutoMTLS needs a certificate for localhost usable as server and as its own CA
// (hashicorp/go-plugin mtls.go and client.go loadServerCert, v1.6.0).
describe("the schema-only provider's ReadResource", () => {
  // The second plan and the replace plan run with -refresh=false (check.ts) because a refresh
  // only hands the state to ReadResource and keeps what comes back
  // (NodeAbstractResourceInstance.refresh, hashicorp/terraform
  // internal/terraform/node_resource_abstract_instance.go, v1.11.4).
  it("returns the state and the private data it is given, byte for byte", async () => {
    const { ReadResource } = providerServices({ resource_schemas: { thing: { block: BLOCK } } });
    const state = Buffer.from(
      encodeValue({ name: "a", id: "x", port: 2n ** 40n, token: null, labels: {}, settings: null, rule: [] }),
    );
    const priv = Buffer.from("private");
    const response = await new Promise<Record<string, unknown>>((resolve, reject) =>
      ReadResource(
        { request: { type_name: "thing", current_state: { msgpack: state }, private: priv } },
        (e, r) => (e ? reject(e) : resolve(r as Record<string, unknown>)),
      ),
    );
    expect(response).toEqual({ new_state: { msgpack: state }, private: priv, diagnostics: [] });
  });
});

describe("the AutoMTLS server certificate", () => {
  it("is a self-signed localhost certificate whose handshake form is unpadded base64 DER", () => {
    const { certPem, handshake } = makeServerCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toBe("DNS:localhost");
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(handshake).not.toMatch(/=$/);
    expect(Buffer.from(handshake, "base64")).toEqual(cert.raw);
  });

  // The serial is random: one whose first byte is 0x00 was written with that byte kept,
  // which OpenSSL refuses as a non-minimal INTEGER (X.690 8.3.2), and the provider exited.
  it.each([
    ["a leading zero byte", "00123456789abcdef0123456789abcde"],
    ["leading zero bytes before a byte with the top bit set", "0000f23456789abcdef0123456789abc"],
    ["the top bit set", "f0123456789abcdef0123456789abcde"],
    ["all zeros", "00000000000000000000000000000000"],
  ])("is valid DER whatever the random serial: %s", (_, hex) => {
    const cert = new X509Certificate(makeServerCertificate(new Date(), Buffer.from(hex, "hex")).certPem);
    expect(BigInt(`0x${cert.serialNumber}`)).toBe(BigInt(`0x${hex}`));
  });

  it("writes INTEGERs in their shortest form", () => {
    const hex = (bytes: number[]) => derInteger(Uint8Array.from(bytes)).toString("hex");
    expect(hex([0, 0, 0x12])).toBe("020112");
    expect(hex([0, 0x80])).toBe("02020080");
    expect(hex([0x80])).toBe("02020080");
    expect(hex([0, 0])).toBe("020100");
    expect(hex([2])).toBe("020102");
  });
});
