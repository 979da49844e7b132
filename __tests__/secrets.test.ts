import { CONFIGS, SHIPPED_CONFIGS, synthStack, type TfJson } from "./support/synth";

/**
 * No secret may appear as a literal anywhere in the synthesized JSON: every credential is
 * a reference (random_password, tls, API key attributes, sensitive variables), and every
 * output that carries one is sensitive.
 */

const SCANNED: Record<string, object> = SHIPPED_CONFIGS;

const SECRET_KEY =
  /(password|passwd|secret|token|api_?key|auth(orization)?|private_?key|credential|tls_?key|key_data)$/i;
/** Env names that carry a credential. */
const SECRET_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_|$)/i;
/** A secret-looking setting and its value in a config file: YAML `key: v`, Logstash `key => "v"`, env `KEY=v`. */
const SECRET_WORD = "(?:password|passwd|secret|token|api_?key)";
const VALUE = "(\\$+\\{[^}]+\\}|[^\\s\"',}\\]]+)";
const SECRET_SETTINGS = [
  new RegExp(`^\\s*([\\w.-]*${SECRET_WORD}[\\w.-]*)\\s*:\\s*["']?${VALUE}`, "gim"),
  new RegExp(`\\b([\\w.-]*${SECRET_WORD}[\\w.-]*)\\s*=>\\s*"${VALUE}"`, "gi"),
  new RegExp(`^\\s*([A-Z_]*${SECRET_WORD.toUpperCase()}[A-Z_]*)=${VALUE}`, "gm"),
];
/** Values that are only references: interpolations, optionally around a fixed scheme word. */
const REFERENCE_ONLY = /^(ApiKey |Bearer |Basic |admin:)?(\$\{[^}]+\}:?)+$/;

function* strings(node: unknown, path: string): Generator<[string, string]> {
  if (typeof node === "string") yield [path, node];
  else if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* strings(v, `${path}[${i}]`);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) yield* strings(v, `${path}.${k}`);
}

function literalSecrets(tf: TfJson): string[] {
  const found: string[] = [];
  for (const [path, value] of strings(tf, "")) {
    const key =
      path
        .replace(/\[\d+\]$/, "")
        .split(".")
        .pop() ?? "";
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) found.push(`${path}: a PEM private key`);
    // Header maps: the header name is the key (Authorization, X-DreamFactory-API-Key).
    if (SECRET_KEY.test(key.replace(/-/g, "_")) && !REFERENCE_ONLY.test(value) && !path.includes('"//"')) {
      found.push(`${path} = ${JSON.stringify(value.slice(0, 40))}`);
    }
    // A container's env entry NAME=value: a *_FILE name holds a path, anything else must be a reference.
    const env = /\.env\[\d+\]$/.test(path) ? /^([A-Za-z_][\w.]*)=([\s\S]*)$/.exec(value) : null;
    if (env && SECRET_ENV.test(env[1]) && !/_FILE$/.test(env[1]) && !REFERENCE_ONLY.test(env[2])) {
      found.push(`${path}: ${env[1]} = ${JSON.stringify(env[2].slice(0, 40))}`);
    }
    // Uploaded files (settings, pipelines): `key: value`, `key => "value"` or KEY=value with a secret key.
    if (/\.upload\[\d+\]\.content$/.test(path)) {
      for (const m of SECRET_SETTINGS.flatMap((re) => [...value.matchAll(re)])) {
        const literal = m[2];
        if (!/^\$+\{[^}]+\}$/.test(literal) && !literal.startsWith("/")) {
          found.push(`${path}: ${m[1]} = ${JSON.stringify(literal.slice(0, 40))}`);
        }
      }
    }
    // Base64 of "id:key" (an encoded API key) or a long random token in any value;
    // lowercase hex is a digest (the pipeline fingerprint), not a credential.
    if (/^[A-Za-z0-9+/]{40,}={0,2}$/.test(value) && !/^[0-9a-f]+$/.test(value)) {
      found.push(`${path}: looks like an encoded key`);
    }
  }
  return found;
}

describe.each(Object.keys(SCANNED))("%s config", (name) => {
  const tf = synthStack(SCANNED[name]);

  it("holds no literal password, API key, token or private key", () => {
    expect(literalSecrets(tf)).toEqual([]);
  });

  // Uploads are root:root, mode 0644 unless given: a tar header with no owner
  // (kreuzwerker/terraform-provider-docker v3.6.2, internal/provider/resource_docker_container_funcs.go).
  // The services read their credentials through group root (Logstash, Kibana and Grafana run
  // in group 0) or after the Elasticsearch start script hands them to its uid; no credential
  // file may be readable by other users.
  it("uploads no file holding a credential that other users can read", () => {
    const exposed: string[] = [];
    for (const [id, c] of Object.entries(tf.resource.docker_container ?? {})) {
      for (const u of (c.upload ?? []) as { file: string; content?: string; permissions?: string }[]) {
        const refs = credentialRefs(u.content ?? "", tf);
        // The docker provider's default mode for an upload is 0644.
        const mode = parseInt(u.permissions ?? "0644", 8);
        if (refs.length > 0 && (mode & 0o007) !== 0)
          exposed.push(`${id} ${u.file} ${u.permissions ?? "(0644)"}: ${refs.join(", ")}`);
      }
    }
    expect(exposed).toEqual([]);
  });

  it("marks every output and variable that carries a secret as sensitive", () => {
    const secretRef =
      /random_password\.|\.encoded|\.api_key|private_key|var\.(elasticsearch_password|grafana_auth|dreamfactory_api_key|alert_webhook_url)/;
    for (const [outName, output] of Object.entries(tf.output ?? {})) {
      if (secretRef.test(JSON.stringify(output.value)))
        expect([outName, output.sensitive]).toEqual([outName, true]);
    }
    for (const v of [
      "elasticsearch_password",
      "grafana_auth",
      "dreamfactory_api_key",
      "dreamfactory_url",
      "alert_webhook_url",
    ]) {
      if (tf.variable?.[v]) expect([v, tf.variable[v].sensitive]).toEqual([v, true]);
    }
  });
});

/** Upload contents that carry a credential: a reference to a key, a password or a sensitive variable. */
function credentialRefs(content: string, tf: TfJson): string[] {
  return [
    ...content.matchAll(
      /\$\{(tls_private_key|random_password|elasticstack_elasticsearch_security_api_key|var)\.(\w+)/g,
    ),
  ]
    .filter(([, type, name]) => type !== "var" || tf.variable?.[name]?.sensitive === true)
    .map(([ref]) => ref.slice(2));
}

describe("the scan itself", () => {
  it("finds planted secrets", () => {
    const tf = synthStack(CONFIGS.docker);
    const planted = JSON.parse(JSON.stringify(tf)) as TfJson;
    const [container] = Object.values(planted.resource.docker_container);
    (container.upload as { content: string; file: string }[]).push({
      file: "/x",
      content: ["-----BEGIN", "PRIVATE KEY-----\nMIIB"].join(" "),
    });
    const [ds] = Object.values(planted.resource.grafana_data_source);
    ds.http_headers = {
      Authorization: "ApiKey VnVYY3RaTUJwQ2sxUlBCSzNRMzc6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
    };
    planted.provider.elasticstack[0] = { elasticsearch: { password: "changeme" } };
    (container.env as string[]).push("ELASTIC_PASSWORD=hunter2hunter2");
    (container.upload as { content: string; file: string }[]).push({
      file: "/usr/share/logstash/config/logstash.yml",
      content: 'api.auth.type: basic\napi.auth.basic.password: "s3cr3t-literal"\n',
    });
    const found = literalSecrets(planted);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/upload\[\d+\]\.content: a PEM private key$/),
        expect.stringMatching(/\.provider\.elasticstack\[0\]\.elasticsearch\.password = "changeme"$/),
        expect.stringMatching(/\.http_headers\.Authorization = "ApiKey VnVY/),
        expect.stringMatching(/\.env\[\d+\]: ELASTIC_PASSWORD = "hunter2hunter2"$/),
        expect.stringMatching(/upload\[\d+\]\.content: api\.auth\.basic\.password = "s3cr3t-literal"$/),
      ]),
    );
    expect(found).toHaveLength(5);
  });
});
