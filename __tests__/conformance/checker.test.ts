import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformIterator, TerraformStack, Testing } from "cdktf";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Network } from "@cdktf/provider-docker/lib/network";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { ElasticsearchIndex } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index";
import { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import {
  checkConformance,
  formatProblem,
  isTemplateExpression,
  loadVendoredSchemas,
  type Problem,
} from "../../scripts/conformance";
import type { ProviderSchemaSet } from "../../scripts/provider-schema";
import { main } from "../../scripts/check-conformance";

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let schemas: ProviderSchemaSet;
beforeAll(() => {
  schemas = loadVendoredSchemas();
});

/** A small but complete configuration that uses all five providers correctly. */
function validDoc(): Doc {
  return {
    "//": { metadata: { stackName: "fixture" } },
    terraform: {
      required_providers: {
        docker: { source: "kreuzwerker/docker", version: "3.6.2" },
        elasticstack: { source: "elastic/elasticstack", version: "0.13.1" },
        grafana: { source: "grafana/grafana", version: "4.45.1" },
        random: { source: "hashicorp/random", version: "3.7.2" },
        tls: { source: "hashicorp/tls", version: "4.1.0" },
      },
    },
    provider: {
      docker: [{ host: "unix:///var/run/docker.sock" }],
      elasticstack: [{ elasticsearch: [{ endpoints: ["https://es:9200"], username: "elastic" }] }],
      grafana: [{ url: "http://grafana:3000", auth: "admin:admin" }],
      random: [{}],
      tls: [{}],
    },
    resource: {
      docker_network: { Net: { name: "elk", ipam_config: [{ subnet: "10.5.0.0/24" }] } },
      docker_container: {
        Es: {
          "//": { metadata: { path: "fixture/Es" } },
          name: "es01",
          image: "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
          env: ["ES_JAVA_OPTS=-Xms256m -Xmx256m", "ELASTIC_PASSWORD=${random_password.Elastic.result}"],
          memory: 2048,
          restart: "unless-stopped",
          healthcheck: {
            test: ["CMD", "curl", "-fk", "https://localhost:9200"],
            interval: "10s",
            retries: 30,
          },
          ports: [{ internal: 9200, external: 9200 }],
          networks_advanced: [{ name: "${docker_network.Net.name}", aliases: ["es"] }],
          upload: [
            {
              file: "/usr/share/elasticsearch/config/certs/ca.crt",
              content: "${tls_self_signed_cert.Ca.cert_pem}",
            },
          ],
        },
      },
      elasticstack_elasticsearch_index: {
        Events: {
          name: "datafly-events",
          mappings: JSON.stringify({ properties: { event_id: { type: "keyword" } } }),
          number_of_replicas: 0,
          alias: [{ name: "events", is_write_index: true }],
        },
      },
      grafana_data_source: {
        Logs: {
          type: "elasticsearch",
          name: "DreamFactory logs",
          url: "https://es:9200",
          json_data_encoded: JSON.stringify({ index: "dreamfactory-logs-*", timeField: "@timestamp" }),
          secure_json_data_encoded: "${jsonencode({tlsCACert = tls_self_signed_cert.Ca.cert_pem})}",
        },
      },
      random_password: {
        Elastic: { length: 24, special: false, min_numeric: 2, keepers: { rotation: "1" } },
      },
      tls_private_key: { Ca: { algorithm: "ECDSA", ecdsa_curve: "P384" } },
      tls_self_signed_cert: {
        Ca: {
          private_key_pem: "${tls_private_key.Ca.private_key_pem}",
          validity_period_hours: 8760,
          is_ca_certificate: true,
          allowed_uses: ["cert_signing", "crl_signing"],
          subject: [{ common_name: "elk-ca", organization: "ELK" }],
        },
      },
    },
    data: { tls_public_key: { Ca: { private_key_pem: "${tls_private_key.Ca.private_key_pem}" } } },
    variable: { mem: { type: "number", default: 2048, description: "MB", nullable: false } },
    output: { ca: { value: "${tls_self_signed_cert.Ca.cert_pem}", sensitive: false } },
  };
}

function check(mutate: (doc: Doc) => void): Problem[] {
  const doc = validDoc();
  mutate(doc);
  return checkConformance(doc, schemas);
}

const container = (d: Doc): Doc => d.resource.docker_container.Es;
const password = (d: Doc): Doc => d.resource.random_password.Elastic;
const cert = (d: Doc): Doc => d.resource.tls_self_signed_cert.Ca;
const index = (d: Doc): Doc => d.resource.elasticstack_elasticsearch_index.Events;

describe("loadVendoredSchemas", () => {
  it("indexes all eight vendored providers by source, with their versions", () => {
    const versions = Object.fromEntries([...schemas.values()].map((e) => [e.source, e.version]));
    expect(versions).toEqual({
      "registry.terraform.io/kreuzwerker/docker": "3.6.2",
      "registry.terraform.io/elastic/elasticstack": "0.13.1",
      "registry.terraform.io/grafana/grafana": "4.45.1",
      "registry.terraform.io/hashicorp/local": "2.6.1",
      "registry.terraform.io/hashicorp/random": "3.7.2",
      "registry.terraform.io/hashicorp/tls": "4.1.0",
      "registry.terraform.io/hashicorp/kubernetes": "2.38.0",
      "registry.terraform.io/hashicorp/helm": "3.1.1",
    });
    const random = schemas.get("registry.terraform.io/hashicorp/random")?.schema;
    expect(Object.keys(random?.resource_schemas ?? {}).sort()).toEqual(
      ["bytes", "id", "integer", "password", "pet", "shuffle", "string", "uuid"].map((r) => `random_${r}`),
    );
    const tls = schemas.get("registry.terraform.io/hashicorp/tls")?.schema;
    expect(Object.keys(tls?.resource_schemas ?? {}).sort()).toEqual([
      "tls_cert_request",
      "tls_locally_signed_cert",
      "tls_private_key",
      "tls_self_signed_cert",
    ]);
    expect(Object.keys(tls?.data_source_schemas ?? {}).sort()).toEqual(["tls_certificate", "tls_public_key"]);
  });
});

describe("checkConformance on hand-written Terraform JSON", () => {
  it("accepts a valid configuration of docker, elasticstack, grafana, random and tls", () => {
    expect(checkConformance(validDoc(), schemas)).toEqual([]);
  });

  // Each mutation must produce exactly the one expected error. Only what real Terraform does
  // not report with a schema-only provider is left here (an experiment ran every case this
  // file used to have through Terraform 1.11.4 offline; unknown keys, types, required
  // arguments, block counts, unknown types, meta-arguments, variables and outputs moved to
  // __tests__/terraform/offline.test.ts). These are the provider SDK's checks.
  it.each<[string, (d: Doc) => void, string, string, RegExp]>([
    [
      "required attribute set to null",
      (d) => (password(d).length = null),
      "random_password.Elastic",
      "length",
      /is null/,
    ],
    [
      "computed-only attribute set",
      (d) => (password(d).result = "hunter2"),
      "random_password.Elastic",
      "result",
      /computed \(read-only\)/,
    ],
    [
      "computed-only attribute in a data source",
      (d) => (d.data.tls_public_key.Ca.public_key_pem = "x"),
      "data.tls_public_key.Ca",
      "public_key_pem",
      /computed/,
    ],
  ])("reports %s", (_name, mutate, address, problemPath, message) => {
    expect(check(mutate)).toEqual([
      { address, path: problemPath, message: expect.stringMatching(message), severity: "error" },
    ]);
  });

  it.each<[string, (d: Doc) => void, string, string, RegExp]>([
    [
      "a deprecated attribute",
      (d) => (password(d).number = true),
      "random_password.Elastic",
      "number",
      /deprecated/,
    ],
    [
      "a deprecated attribute (docker)",
      (d) => (d.resource.docker_network.Net.check_duplicate = true),
      "docker_network.Net",
      "check_duplicate",
      /deprecated/,
    ],
    [
      "a deprecated block",
      (d) => (index(d).elasticsearch_connection = { endpoints: ["https://es:9200"] }),
      "elasticstack_elasticsearch_index.Events",
      "elasticsearch_connection",
      /block "elasticsearch_connection" is deprecated/,
    ],
    [
      "a key that Terraform silently drops from a nested attribute",
      (d) => (index(d).alias = [{ name: "events", routng: "x" }]),
      "elasticstack_elasticsearch_index.Events",
      "alias[0].routng",
      /silently drops/,
    ],
    [
      "an SDKv2 id that the docs-derived schema calls read-only",
      (d) => (container(d).id = "abc"),
      "docker_container.Es",
      "id",
      /docs-derived/,
    ],
    [
      "a pinned version that differs from the schema",
      (d) => (d.terraform.required_providers.tls.version = "4.0.6"),
      "provider.tls",
      "",
      /pins registry.terraform.io\/hashicorp\/tls 4.0.6 but the schema is for 4.1.0/,
    ],
  ])("warns about %s", (_name, mutate, address, problemPath, message) => {
    expect(check(mutate)).toEqual([
      { address, path: problemPath, message: expect.stringMatching(message), severity: "warning" },
    ]);
  });

  it.each<[string, (d: Doc) => void]>([
    [
      "numbers given as numeric strings",
      (d) => Object.assign(container(d), { memory: "2048", healthcheck: { test: ["CMD"], retries: "3" } }),
    ],
    ["numbers in exponent form", (d) => (password(d).length = "2.4e1")],
    [
      "bools given as strings, including 1/0",
      (d) => Object.assign(password(d), { special: "true", upper: "0", lower: "1" }),
    ],
    [
      "numbers and bools where strings are expected",
      (d) => Object.assign(container(d), { hostname: 42, restart: true }),
    ],
    ["a max-1 block as an array of one", (d) => (container(d).healthcheck = [container(d).healthcheck])],
    [
      "null for an optional attribute or block",
      (d) => Object.assign(container(d), { memory: null, healthcheck: null }),
    ],
    [
      "whole values from expressions",
      (d) =>
        Object.assign(container(d), {
          memory: "${var.mem}",
          env: "${var.env}",
          ports: [{ internal: "${var.port}" }],
        }),
    ],
    ["template directives", (d) => (password(d).special = "%{if var.x}true%{else}false%{endif}")],
    [
      "interpolations inside lists and nested attributes",
      (d) => (index(d).alias = [{ name: "${var.alias}", is_write_index: "${var.w}" }]),
    ],
    ["a nested attribute from an expression", (d) => (index(d).alias = "${var.aliases}")],
    ["an escaped $${ in a string attribute", (d) => (container(d).env = ["LITERAL=$${not_interpolated}"])],
    [
      "all resource meta-arguments",
      (d) => {
        d.provider.docker.push({ alias: "remote", host: "ssh://ops@remote" });
        Object.assign(container(d), {
          count: 2,
          depends_on: ["random_password.Elastic", "docker_network.Net"],
          provider: "docker.remote",
          lifecycle: {
            create_before_destroy: true,
            prevent_destroy: "false",
            ignore_changes: ["env"],
            replace_triggered_by: ["tls_self_signed_cert.Ca"],
            precondition: [{ condition: "${var.mem >= 256}", error_message: "too small" }],
            postcondition: { condition: '${self.name != ""}', error_message: "no name" },
          },
          provisioner: [{ "local-exec": { command: "echo ok" } }],
          connection: { type: "ssh", host: "remote" },
        });
        Object.assign(password(d), { for_each: "${toset(var.users)}", lifecycle: { ignore_changes: "all" } });
        Object.assign(cert(d), { for_each: { a: "x", b: "y" } });
        d.resource.tls_private_key.Ca.count = "${var.n}";
      },
    ],
    [
      "data source meta-arguments",
      (d) =>
        Object.assign(d.data.tls_public_key.Ca, {
          count: 1,
          depends_on: ["tls_private_key.Ca"],
          lifecycle: { postcondition: [{ condition: "${true}", error_message: "x" }] },
        }),
    ],
    [
      "dynamic blocks",
      (d) =>
        (container(d).dynamic = {
          ports: {
            for_each: "${var.ports}",
            iterator: "p",
            content: { internal: "${p.value}", external: "${p.value}" },
          },
          labels: [
            { for_each: "${var.labels}", content: { label: "${labels.key}", value: "${labels.value}" } },
          ],
        }),
    ],
    [
      "variables with validation and outputs with all keys",
      (d) => {
        d.variable.mem.validation = [{ condition: "${var.mem > 0}", error_message: "positive" }];
        d.variable.secret = { type: "string", sensitive: true, ephemeral: false };
        d.output.pw = {
          value: "${random_password.Elastic.result}",
          sensitive: true,
          description: "pw",
          depends_on: [],
        };
      },
    ],
    [
      "unchecked top-level keys",
      (d) => Object.assign(d, { locals: { a: 1 }, module: { m: { source: "./m" } } }),
    ],
  ])("accepts %s", (_name, mutate) => {
    expect(check(mutate)).toEqual([]);
  });

  it("walks object types, map-nested blocks and single blocks (synthetic schema)", () => {
    const source = "registry.terraform.io/example/ex";
    const synthetic: ProviderSchemaSet = new Map([
      [
        source,
        {
          source,
          schema: {
            resource_schemas: {
              ex_thing: {
                block: {
                  attributes: {
                    obj: { optional: true, type: ["object", { a: "number", b: "string" }, ["b"]] },
                    pair: { optional: true, type: ["tuple", ["string", "bool"]] },
                  },
                  block_types: {
                    named: {
                      nesting_mode: "map",
                      block: {
                        attributes: {
                          v: { required: true, type: "number" },
                          c: { computed: true, type: "string" },
                        },
                      },
                    },
                    one: {
                      nesting_mode: "single",
                      block: { attributes: { w: { optional: true, deprecated: true, type: "string" } } },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    ]);
    const doc = (body: Doc) => ({
      terraform: { required_providers: { ex: { source: "example/ex" } } },
      resource: { ex_thing: { T: body } },
    });
    expect(
      checkConformance(
        doc({ obj: { a: "1" }, pair: ["x", "true"], named: { k: { v: 1 } }, one: {} }),
        synthetic,
      ),
    ).toEqual([]);
    const problems = checkConformance(
      doc({ obj: { b: "x", c: 1 }, pair: ["x"], named: { k: { v: 1, c: "set" } }, one: [{ w: "a" }] }),
      synthetic,
    );
    expect(problems.map((p) => [p.severity, p.path])).toEqual([
      ["warning", "obj.c"],
      ["error", 'named["k"].c'],
      ["warning", "one.w"],
    ]);
  });
});

describe("helpers", () => {
  it.each<[string, boolean]>([
    ["${var.x}", true],
    ["prefix-${var.x}-suffix", true],
    ["%{ for x in var.l }${x}%{ endfor }", true],
    ["%{if true}y%{endif}", true],
    ["$${var.x}", false],
    ["%%{literal}", false],
    ["$$${x}", false],
    ["plain $ and { braces }", false],
    ["$", false],
  ])("isTemplateExpression(%j) is %s", (s, expected) => {
    expect(isTemplateExpression(s)).toBe(expected);
  });

  it("formats a problem on one line", () => {
    const p: Problem = {
      address: "docker_container.Es",
      path: "healthcheck[0].interval",
      message: "string required",
      severity: "error",
    };
    expect(formatProblem(p)).toBe("error: docker_container.Es.healthcheck[0].interval: string required");
    expect(formatProblem({ ...p, path: "", severity: "warning" })).toBe(
      "warning: docker_container.Es: string required",
    );
    expect(formatProblem({ ...p, path: '["k"]' })).toBe('error: docker_container.Es["k"]: string required');
  });
});

describe("on real cdktf output", () => {
  function synthesize(): string {
    const app = Testing.app();
    const stack = new TerraformStack(app, "conformance");
    new DockerProvider(stack, "docker", {});
    const remote = new DockerProvider(stack, "docker-remote", { alias: "remote", host: "ssh://ops@remote" });
    new RandomProvider(stack, "random");
    new TlsProvider(stack, "tls");
    new ElasticstackProvider(stack, "elasticstack", { elasticsearch: { endpoints: ["https://es:9200"] } });
    new GrafanaProvider(stack, "grafana", { url: "http://grafana:3000" });

    const password = new Password(stack, "ElasticPassword", { length: 24, special: false });
    const key = new PrivateKey(stack, "CaKey", { algorithm: "ECDSA", ecdsaCurve: "P384" });
    const ca = new SelfSignedCert(stack, "Ca", {
      privateKeyPem: key.privateKeyPem,
      validityPeriodHours: 8760,
      isCaCertificate: true,
      allowedUses: ["cert_signing"],
      subject: [{ commonName: "elk-ca" }],
    });
    const network = new Network(stack, "Net", { name: "elk" });
    const ports = TerraformIterator.fromList([9200, 9300]);
    new Container(stack, "Es", {
      name: "es01",
      image: "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
      env: [`ELASTIC_PASSWORD=${password.result}`],
      healthcheck: { test: ["CMD", "true"], interval: "10s", retries: 30 },
      networksAdvanced: [{ name: network.name }],
      upload: [{ file: "/certs/ca.crt", content: ca.certPem }],
      ports: ports.dynamic({ internal: ports.value, external: ports.value }),
      lifecycle: { ignoreChanges: ["env"] },
      dependsOn: [network],
    });
    new Container(stack, "Remote", { provider: remote, name: "r", image: "busybox" });
    new ElasticsearchIndex(stack, "Events", {
      name: "datafly-events",
      mappings: JSON.stringify({ properties: { event_id: { type: "keyword" } } }),
      alias: [{ name: "events" }],
    });
    new DataSource(stack, "Logs", { type: "elasticsearch", name: "logs", url: "https://es:9200" });
    // fullSynth keeps cdktf's "//" metadata, unlike Testing.synth.
    return Testing.fullSynth(stack);
  }

  let outdir: string;
  let stackFile: string;
  beforeAll(() => {
    outdir = synthesize();
    stackFile = path.join(outdir, "stacks", "conformance", "cdk.tf.json");
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it("passes for a stack using docker, random, tls, elasticstack and grafana bindings", () => {
    const doc = JSON.parse(fs.readFileSync(stackFile, "utf8")) as Doc;
    expect(doc["//"]).toBeDefined();
    expect(doc.resource.docker_container.Es.dynamic.ports).toBeDefined();
    expect(Object.keys(doc.resource).sort()).toEqual([
      "docker_container",
      "docker_network",
      "elasticstack_elasticsearch_index",
      "grafana_data_source",
      "random_password",
      "tls_private_key",
      "tls_self_signed_cert",
    ]);
    expect(checkConformance(doc, schemas)).toEqual([]);
  });

  it("fails once the synthesized JSON sets a computed attribute", () => {
    const doc = JSON.parse(fs.readFileSync(stackFile, "utf8")) as Doc;
    doc.resource.tls_self_signed_cert.Ca.cert_pem = "x";
    expect(checkConformance(doc, schemas)).toEqual([
      expect.objectContaining({
        address: "tls_self_signed_cert.Ca",
        path: "cert_pem",
        severity: "error",
      }),
    ]);
  });

  it("CLI main() exits 0 on the synthesized output and 1 with one line per error", () => {
    const lines: string[] = [];
    expect(main([outdir], { schemas, out: (l) => lines.push(l) })).toBe(0);
    expect(lines).toEqual(["conformance: 1 stack(s), 0 error(s), 0 warning(s)"]);

    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-"));
    try {
      const doc = JSON.parse(fs.readFileSync(stackFile, "utf8")) as Doc;
      doc.resource.docker_container.Es.hostname = null;
      doc.resource.docker_container.Es.image = null;
      doc.resource.random_password.ElasticPassword.result = "x";
      fs.mkdirSync(path.join(broken, "stacks", "broken"), { recursive: true });
      fs.writeFileSync(path.join(broken, "stacks", "broken", "cdk.tf.json"), JSON.stringify(doc));
      lines.length = 0;
      expect(main([], { schemas, env: { CDKTF_OUTDIR: broken }, out: (l) => lines.push(l) })).toBe(1);
      expect(lines).toEqual([
        'broken: error: docker_container.Es.image: required attribute "image" is null',
        'broken: error: random_password.ElasticPassword.result: "result" is computed (read-only) and cannot be set',
        "conformance: 1 stack(s), 2 error(s), 0 warning(s)",
      ]);
      lines.length = 0;
      expect(main([path.join(broken, "nothing-here")], { schemas, out: (l) => lines.push(l) })).toBe(1);
      expect(lines[0]).toMatch(/no cdk.tf.json found/);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});
