/**
 * A schema-only Terraform provider: serves one provider's schema (a `terraform providers
 * schema -json` file) over plugin protocol 6 and fakes the resource lifecycle (values.ts).
 *
 * Protocol facts, from hashicorp/go-plugin v1.6.0 (server.go, mtls.go, grpc_server.go) and
 * hashicorp/terraform v1.11.4 (internal/plugin6/serve.go, main.go):
 * - the client sets TF_PLUGIN_MAGIC_COOKIE to Terraform's handshake value and may list the
 *   protocol versions it speaks in PLUGIN_PROTOCOL_VERSIONS;
 * - the plugin prints one line on stdout, `1|6|unix|<socket>|grpc|<server cert>`, and logs
 *   only on stderr;
 * - AutoMTLS: when PLUGIN_CLIENT_CERT holds the client's PEM certificate, the plugin serves
 *   TLS with a one-time certificate, requires that client certificate, and puts its own
 *   DER (unpadded base64) in the handshake; without it (a reattached provider, started by
 *   us) the connection is plain;
 * - the health service answers SERVING for "plugin"; GRPCController.Shutdown stops the
 *   plugin; SIGINT is ignored (Terraform forwards Ctrl-C and then asks for Shutdown).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProviderSchema, ResourceSchema, SchemaAttribute, SchemaBlock } from "../../provider-schema";
import { makeServerCertificate } from "./tls-cert";
import { applyState, decodeValue, encodeValue, planState, readDataSource, seedOf } from "./values";

/** hashicorp/terraform internal/plugin6/serve.go at v1.11.4. */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const PROTOCOL_VERSION = 6;

/** The proto files live in ../proto of the source; a bundle finds them from the repository root. */
function protoDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [
      path.join(dir, "proto"),
      path.join(dir, "scripts", "offline-terraform", "proto"),
    ]) {
      if (fs.existsSync(path.join(candidate, "tfplugin6.proto"))) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error(`tfplugin6.proto not found above ${__dirname}`);
  }
}

// --- schema JSON -> protocol messages --------------------------------------------------

const BLOCK_NESTING = { single: 1, list: 2, set: 3, map: 4, group: 5 } as const;
const OBJECT_NESTING = { single: 1, list: 2, set: 3, map: 4 } as const;

function attributeMessage(name: string, a: SchemaAttribute): object {
  return {
    name,
    type: a.type !== undefined ? Buffer.from(JSON.stringify(a.type)) : Buffer.alloc(0),
    nested_type: a.nested_type && {
      attributes: Object.entries(a.nested_type.attributes).map(([n, x]) => attributeMessage(n, x)),
      nesting: OBJECT_NESTING[a.nested_type.nesting_mode],
    },
    required: a.required ?? false,
    optional: a.optional ?? false,
    computed: a.computed ?? false,
    sensitive: a.sensitive ?? false,
    deprecated: a.deprecated ?? false,
    write_only: a.write_only ?? false,
  };
}

function blockMessage(b: SchemaBlock): object {
  return {
    attributes: Object.entries(b.attributes ?? {}).map(([n, a]) => attributeMessage(n, a)),
    block_types: Object.entries(b.block_types ?? {}).map(([n, bt]) => ({
      type_name: n,
      block: blockMessage(bt.block),
      nesting: BLOCK_NESTING[bt.nesting_mode],
      min_items: bt.min_items ?? 0,
      max_items: bt.max_items ?? 0,
    })),
    deprecated: b.deprecated ?? false,
  };
}

const schemaMessage = (s: ResourceSchema) => ({ version: s.version ?? 0, block: blockMessage(s.block) });

/** Reads a `terraform providers schema -json` file that describes exactly one provider. */
export function readSchemaFile(file: string): { source: string; schema: ProviderSchema } {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as {
    provider_schemas?: Record<string, ProviderSchema>;
  };
  const entries = Object.entries(doc.provider_schemas ?? {});
  if (entries.length !== 1) throw new Error(`${file}: expected one provider under provider_schemas`);
  return { source: entries[0][0], schema: entries[0][1] };
}

// --- the services ----------------------------------------------------------------------

interface DynamicValue {
  msgpack?: Buffer;
  json?: Buffer;
}

type Unary = (call: { request: Record<string, unknown> }, callback: grpc.sendUnaryData<object>) => void;

function unary(fn: (req: Record<string, unknown>) => object): Unary {
  return (call, callback) => {
    try {
      callback(null, fn(call.request));
    } catch (e) {
      // A bug here is Terraform's error diagnostic, with our stack for the log.
      process.stderr.write(`${(e as Error).stack}\n`);
      callback(null, {
        diagnostics: [{ severity: 1, summary: "schema-only provider failed", detail: String(e) }],
      });
    }
  };
}

const bytesOf = (dv: unknown): Buffer => (dv as DynamicValue | null)?.msgpack ?? Buffer.from([0xc0]);

const CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: true };

/** The GetProviderSchema response: built once, as Terraform asks for it on every command. */
export function schemaResponse(schema: ProviderSchema): object {
  return {
    provider: schemaMessage(schema.provider ?? { block: {} }),
    resource_schemas: Object.fromEntries(
      Object.entries(schema.resource_schemas ?? {}).map(([k, s]) => [k, schemaMessage(s)]),
    ),
    data_source_schemas: Object.fromEntries(
      Object.entries(schema.data_source_schemas ?? {}).map(([k, s]) => [k, schemaMessage(s)]),
    ),
    diagnostics: [],
    server_capabilities: CAPABILITIES,
  };
}

export function providerServices(
  schema: ProviderSchema,
  schemaReply: object = schemaResponse(schema),
): Record<string, Unary> {
  const resources = schema.resource_schemas ?? {};
  const dataSources = schema.data_source_schemas ?? {};
  const capabilities = CAPABILITIES;
  const blockOf = (table: typeof resources, type: unknown): SchemaBlock => {
    const s = table[String(type)];
    if (!s) throw new Error(`no schema for ${String(type)}`);
    return s.block;
  };
  const ok = () => ({ diagnostics: [] });
  return {
    GetMetadata: unary(() => ({
      server_capabilities: capabilities,
      diagnostics: [],
      resources: Object.keys(resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(dataSources).map((type_name) => ({ type_name })),
    })),
    GetProviderSchema: unary(() => schemaReply),
    ValidateProviderConfig: unary(ok),
    ValidateResourceConfig: unary(ok),
    ValidateDataResourceConfig: unary(ok),
    ConfigureProvider: unary(ok),
    GetFunctions: unary(ok),
    StopProvider: unary(() => ({ Error: "" })),
    // The stored JSON is already in the current schema's shape: echo it.
    UpgradeResourceState: unary((req) => ({
      upgraded_state: { json: (req.raw_state as { json?: Buffer } | null)?.json ?? Buffer.from("null") },
      diagnostics: [],
    })),
    // Nothing exists outside Terraform's state, so nothing drifts.
    ReadResource: unary((req) => ({
      new_state: { msgpack: bytesOf(req.current_state) },
      private: req.private,
      diagnostics: [],
    })),
    PlanResourceChange: unary((req) => {
      const planned = planState(
        decodeValue(bytesOf(req.proposed_new_state)),
        blockOf(resources, req.type_name),
      );
      return {
        planned_state: { msgpack: Buffer.from(encodeValue(planned)) },
        planned_private: req.prior_private,
        diagnostics: [],
      };
    }),
    ApplyResourceChange: unary((req) => {
      const seed = seedOf(String(req.type_name), bytesOf(req.config));
      const state = applyState(
        decodeValue(bytesOf(req.planned_state)),
        blockOf(resources, req.type_name),
        seed,
      );
      return {
        new_state: { msgpack: Buffer.from(encodeValue(state)) },
        private: req.planned_private,
        diagnostics: [],
      };
    }),
    ReadDataSource: unary((req) => {
      const bytes = bytesOf(req.config);
      const block = blockOf(dataSources, req.type_name);
      const state = readDataSource(decodeValue(bytes), block, seedOf(String(req.type_name), bytes));
      return { state: { msgpack: Buffer.from(encodeValue(state)) }, diagnostics: [] };
    }),
  };
}

export interface ServeOptions {
  readonly schemaFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Served {
  readonly server: grpc.Server;
  /** go-plugin's handshake line, `1|6|unix|<socket>|grpc|<cert>`, for stdout. */
  readonly handshake: string;
}

let services: ReturnType<typeof loadServices> | undefined;

function loadServices() {
  const dir = protoDir();
  const def = protoLoader.loadSync(
    ["tfplugin6.proto", "go-plugin.proto", "health.proto"].map((f) => path.join(dir, f)),
    { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true },
  );
  return grpc.loadPackageDefinition(def) as unknown as {
    tfplugin6: { Provider: { service: grpc.ServiceDefinition } };
    plugin: { GRPCController: { service: grpc.ServiceDefinition } };
    grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } };
  };
}

/**
 * The schema response serialized at start, while nobody waits for it: encoding the grafana
 * one costs ~0.1-0.3 s, and Terraform asks every command for it.
 */
function withSchemaSerialized(service: grpc.ServiceDefinition, reply: object): grpc.ServiceDefinition {
  const m = service["GetProviderSchema"];
  const bytes = m.responseSerialize(reply);
  const responseSerialize = (value: object): Buffer => (value === reply ? bytes : m.responseSerialize(value));
  return { ...service, GetProviderSchema: { ...m, responseSerialize } };
}

/** Starts serving one provider schema; resolves once it listens. */
export async function serve(options: ServeOptions): Promise<Served> {
  const env = options.env ?? process.env;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new Error("this is a Terraform provider plugin: Terraform starts it, not a person");
  }
  const offered = env["PLUGIN_PROTOCOL_VERSIONS"];
  if (offered && !offered.split(",").includes(String(PROTOCOL_VERSION))) {
    throw new Error(`the client speaks plugin protocol ${offered}; this provider speaks ${PROTOCOL_VERSION}`);
  }
  const { schema } = readSchemaFile(options.schemaFile);
  const loaded = (services ??= loadServices());
  // The grafana schema and our dashboards exceed gRPC's 4 MB default.
  const server = new grpc.Server({
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  const reply = schemaResponse(schema);
  server.addService(
    withSchemaSerialized(loaded.tfplugin6.Provider.service, reply),
    providerServices(schema, reply) as grpc.UntypedServiceImplementation,
  );
  server.addService(loaded.grpc.health.v1.Health.service, {
    Check: unary(() => ({ status: 1 })),
  } as grpc.UntypedServiceImplementation);
  server.addService(loaded.plugin.GRPCController.service, {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
      callback(null, {});
      setImmediate(() => server.tryShutdown(() => process.exit(0)));
    },
  } as grpc.UntypedServiceImplementation);

  const clientCert = env["PLUGIN_CLIENT_CERT"];
  let credentials = grpc.ServerCredentials.createInsecure();
  let certField = "";
  if (clientCert) {
    const own = makeServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [{ private_key: Buffer.from(own.keyPem), cert_chain: Buffer.from(own.certPem) }],
      true,
    );
    certField = own.handshake;
  }
  const socketDir = fs.mkdtempSync(path.join(env["PLUGIN_UNIX_SOCKET_DIR"] || os.tmpdir(), "tfprovider-"));
  const socket = path.join(socketDir, "plugin.sock");
  process.on("exit", () => fs.rmSync(socketDir, { recursive: true, force: true }));
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, credentials, (err) => (err ? reject(err) : resolve())),
  );
  return { server, handshake: `1|${PROTOCOL_VERSION}|unix|${socket}|grpc|${certField}` };
}
