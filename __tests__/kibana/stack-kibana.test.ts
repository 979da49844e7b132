import { CONFIGS, resourceAt, resourcesOf, synthStack } from "../support/synth";
import { parseConfig } from "../../config";
import { EVENT_TIME_FIELD, LOG_TIME_FIELD } from "../../contract/fields";
import { cloudIdToKibanaUrl } from "../../constructs/kibana/cloud-id";
import { KIBANA_SYSTEM_USER } from "../../constructs/kibana/instance";

type Obj = Record<string, unknown>;
const docker = synthStack({ kibana: { enabled: true } });
const cloud = synthStack({ ...CONFIGS.elasticCloud, kibana: { enabled: true } });
const container = resourceAt(docker, "docker_container", "Kibana/Container") as Obj & {
  env: string[];
  upload: { file: string; content: string; permissions?: string }[];
  healthcheck: { test: string[] };
};
const envOf = (key: string) => container.env.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);

describe("kibana.enabled: false", () => {
  it("adds no Kibana resource, provider or output", () => {
    const tf = synthStack();
    expect(JSON.stringify(tf)).not.toMatch(/kibana|local_file/i);
  });
});

describe("docker Kibana", () => {
  // kibana_system: Kibana 8 refuses the elastic superuser as its server user; the provider sets
  // its password (elastic/terraform-provider-elasticstack docs/resources/elasticsearch_security_system_user.md, v0.13.1).
  it("runs as kibana_system, whose password the stack sets from random_password", () => {
    const user = resourceAt(docker, "elasticstack_elasticsearch_security_system_user", "Kibana/SystemUser");
    expect(user.username).toBe(KIBANA_SYSTEM_USER);
    expect(user.password).toMatch(/^\$\{random_password\.Kibana_SystemPassword_[0-9A-F]{8}\.result\}$/);
    expect(envOf("ELASTICSEARCH_USERNAME")).toBe("kibana_system");
    expect(container.depends_on).toContain(
      "elasticstack_elasticsearch_security_system_user.Kibana_SystemUser_95954E2E",
    );
  });

  // Env NAME_PARTS → --name.parts (elastic/kibana src/dev/build/tasks/os_packages/docker_generator/
  // resources/base/bin/kibana-docker, stored copy 00cc64eb).
  it("talks HTTPS to the cluster alias, verifying with the cluster's CA, and serves HTTPS itself", () => {
    expect(envOf("ELASTICSEARCH_HOSTS")).toBe("https://elk-es:9200");
    expect(envOf("ELASTICSEARCH_SSL_VERIFICATIONMODE")).toBe("full");
    const caFile = envOf("ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES");
    expect(container.upload.find((u) => u.file === caFile)?.content).toMatch(/tls_self_signed_cert\.Ca_Cert/);
    expect(envOf("SERVER_SSL_ENABLED")).toBe("true");
    const cert = container.upload.find((u) => u.file === envOf("SERVER_SSL_CERTIFICATE"));
    expect(cert?.content).toMatch(/tls_locally_signed_cert\.Ca_Kibana_Cert/);
    expect(container.upload.find((u) => u.file === envOf("SERVER_SSL_KEY"))?.permissions).toBe("0440");
  });

  it("keeps the password and the three encryption keys (32 characters) out of env, in a 0440 kibana.yml", () => {
    const yml = container.upload.find((u) => u.file === "/usr/share/kibana/config/kibana.yml");
    expect(yml?.permissions).toBe("0440");
    const settings = Object.fromEntries(
      (yml?.content ?? "")
        .trim()
        .split("\n")
        .map((l) => l.split(": ")),
    ) as Record<string, string>;
    expect(Object.keys(settings).sort()).toEqual([
      "elasticsearch.password",
      "xpack.encryptedSavedObjects.encryptionKey",
      "xpack.reporting.encryptionKey",
      "xpack.security.encryptionKey",
    ]);
    const passwords = resourcesOf(docker, "random_password");
    for (const ref of Object.values(settings)) {
      const id = /^\$\{random_password\.([A-Za-z0-9_]+)\.result\}$/.exec(ref)?.[1] ?? "";
      expect(passwords[id]).toMatchObject({ length: 32, special: false });
    }
    expect(container.env.join("\n")).not.toMatch(/random_password|PASSWORD=|ENCRYPTIONKEY/);
  });

  // An anonymous /api/status gets the redacted body {status:{overall:{level}}}
  // (elastic/kibana api_integration status test "returns redacted payload for unauthenticated requests").
  it("is ready only when /api/status reports available, and caps memory without swap", () => {
    expect(container.healthcheck.test[1]).toMatch(/https:\/\/localhost:5601\/api\/status .*"available"/);
    expect(container.healthcheck.test[1]).toContain("--cacert");
    expect(container.wait).toBe(true);
    expect(container.memory_swap).toBe(container.memory);
  });

  // ca_certs are file paths read when the provider is configured (os.ReadFile in
  // internal/clients/kibana_oapi/client.go NewClient; ElementsAs(..., allowUnhandled=true) in
  // internal/clients/config/kibana_oapi.go), elastic/terraform-provider-elasticstack v0.13.1.
  it("gives the Kibana provider the stack CA as a file Terraform writes first, path unknown until then", () => {
    const file = resourceAt(docker, "local_file", "Kibana/CaFile");
    expect(file.content).toMatch(/tls_self_signed_cert\.Ca_Cert/);
    expect(file.filename).toBe("../../../elk-stack-ca.crt");
    const kib = docker.provider.elasticstack.find((p) => p.alias === "kibana") as {
      kibana: { ca_certs: string[]; endpoints: string[]; insecure?: boolean };
    };
    expect(kib.kibana.insecure).toBeUndefined();
    expect(kib.kibana.endpoints).toEqual(["https://localhost:5601"]);
    expect(kib.kibana.ca_certs).toEqual([
      expect.stringMatching(/^\$\{replace\(local_file\.Kibana_CaFile_[0-9A-F]{8}\.id, .*\.filename\)\}$/),
    ]);
  });

  it("outputs the Kibana URL", () => {
    expect(docker.output?.kibana_url.value).toBe("https://localhost:5601");
  });
});

describe.each([
  ["docker", docker],
  ["elasticCloud", cloud],
])("%s data views", (_name, tf) => {
  const views = resourcesOf(tf, "elasticstack_kibana_data_view");
  const byTitle = (title: string) =>
    Object.values(views).find((v) => (v.data_view as Obj).title === title) as Obj & { data_view: Obj };

  it("cover the events index and the daily log pattern, with their contract time fields", () => {
    const cfg = parseConfig({});
    expect(byTitle(cfg.events.index).data_view.time_field_name).toBe(EVENT_TIME_FIELD);
    expect(byTitle(`${cfg.logs.indexPrefix}-*`).data_view).toMatchObject({
      time_field_name: LOG_TIME_FIELD,
      allow_no_index: true,
    });
    for (const v of Object.values(views)) expect(v.provider).toBe("elasticstack.kibana");
  });

  it("make the events data view the default", () => {
    const def = Object.values(resourcesOf(tf, "elasticstack_kibana_default_data_view"));
    expect(def).toHaveLength(1);
    expect(def[0].data_view_id).toBe(byTitle("datafly-events").data_view.id);
    expect(def[0].force).toBe(true);
  });
});

describe("external Kibana", () => {
  it("takes Elastic Cloud's Kibana URL from the cloud id's third component", () => {
    expect(cloud.output?.kibana_url.value).toBe("https://kib789.europe-west1.gcp.cloud.es.io:443");
    expect(cloud.resource.docker_container?.Kibana_Container).toBeUndefined();
    expect(resourcesOf(cloud, "local_file")).toEqual({});
  });

  it("uses kibana.url for a self-managed Kibana", () => {
    const tf = synthStack({
      ...CONFIGS.external,
      kibana: { enabled: true, url: "https://kibana.example.com" },
    });
    expect(tf.output?.kibana_url.value).toBe("https://kibana.example.com");
  });

  it("rejects a cloud id without a Kibana component", () => {
    const id = `x:${Buffer.from("host.example.com:443$abc$").toString("base64")}`;
    expect(() => cloudIdToKibanaUrl(id)).toThrow(/no Kibana component/);
  });
});

describe("kibana config rules", () => {
  it.each([
    [{ kibana: { enabled: true, version: "8.18.3" } }, /kibana\.version.*8\.19/],
    [{ kibana: { enabled: true, port: 3000 } }, /kibana\.port.*grafana\.port/],
    [{ kibana: { enabled: true, url: "https://k.example.com" } }, /kibana\.url.*only used in external mode/],
    [
      { ...CONFIGS.external, kibana: { enabled: true } },
      /kibana\.url.*needs kibana\.url or elasticsearch\.cloudId/,
    ],
  ])("%j fails in one line", (input, message) => {
    expect(() => parseConfig(input)).toThrow(message);
  });
});
