import { Testing } from "cdktf";
import {
  ElasticsearchDatasource,
  GATEWAY_URL_PATTERN,
  indexPatternMatches,
} from "../../constructs/grafana/datasources";
import { CONTENT_UIDS, DATASOURCE_UIDS } from "../../app/analytics-stack";
import { infinityInstallEntry } from "../../constructs/grafana/instance";
import type { DashboardJson } from "../../constructs/grafana/dashboards";
import { CONFIGS, resourceAt, resourcesOf, synthStack, type TfJson } from "../support/synth";

const tf = synthStack(CONFIGS.docker);
const external = synthStack(CONFIGS.external);
const datasource = (t: TfJson, uid: string) => {
  const found = Object.values(resourcesOf(t, "grafana_data_source")).find((d) => d.uid === uid);
  if (!found) throw new Error(`no datasource ${uid}`);
  return found;
};
const env = (c: Record<string, unknown>) => c.env as string[];

describe("Grafana in docker", () => {
  const container = resourceAt(tf, "docker_container", "Grafana/Container");

  it("runs a pinned image with the admin password from random_password, never a literal", () => {
    const image = Object.values(resourcesOf(tf, "docker_image")).find((i) =>
      String(i.name).startsWith("grafana/"),
    );
    expect(image?.name).toBe("grafana/grafana:11.6.16");
    expect(env(container)).toContain("GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password");
    const secret = (container.upload as { file: string; content: string }[]).find(
      (u) => u.file === "/run/secrets/grafana_admin_password",
    );
    expect(secret?.content).toMatch(/^\$\{random_password\.Grafana_AdminPassword_[0-9A-F]{8}\.result\}$/);
  });

  it("installs the Infinity plugin at a published version, or from a configured mirror", () => {
    // v3.11.1 is tagged in grafana/grafana-infinity-datasource; plugin-ci-workflows' cd.yml
    // (ci-cd-workflows/v10.1.0, the plugin's publish workflow) tags only after the grafana.com publish.
    expect(env(container)).toContain("GF_INSTALL_PLUGINS=yesoreyeram-infinity-datasource 3.11.1");
    const url = "https://mirror.example.com/plugins/yesoreyeram-infinity-datasource-3.11.1.zip";
    const mirrored = resourceAt(
      synthStack({ grafana: { infinityPluginUrl: url } }),
      "docker_container",
      "Grafana/Container",
    );
    // grafana/grafana packaging/docker/run.sh: an entry `<url>;<plugin id>` goes to `grafana cli --pluginUrl`.
    expect(env(mirrored)).toContain(`GF_INSTALL_PLUGINS=${url};yesoreyeram-infinity-datasource`);
    expect(() => infinityInstallEntry("3.11.1", "https://a.example.com/x.zip,other")).toThrow(/commas/);
  });

  it("has no SMTP by default; with grafana.smtp, the password reaches Grafana only as a 0440 secret file", () => {
    expect(env(container).filter((e) => e.startsWith("GF_SMTP_"))).toEqual([]);
    expect(tf.variable?.grafana_smtp_password).toBeUndefined();
    const mail = synthStack({
      grafana: {
        smtp: { host: "smtp.example.com:587", user: "alerts", fromAddress: "grafana@example.com" },
        alert: { contact: { type: "email", addresses: ["ops@example.com"] } },
      },
    });
    const c = resourceAt(mail, "docker_container", "Grafana/Container");
    expect(env(c).filter((e) => e.startsWith("GF_SMTP_"))).toEqual([
      "GF_SMTP_ENABLED=true",
      "GF_SMTP_HOST=smtp.example.com:587",
      "GF_SMTP_USER=alerts",
      "GF_SMTP_PASSWORD__FILE=/run/secrets/grafana_smtp_password",
      "GF_SMTP_FROM_ADDRESS=grafana@example.com",
      "GF_SMTP_FROM_NAME=Grafana",
      "GF_SMTP_STARTTLS_POLICY=MandatoryStartTLS",
      "GF_SMTP_SKIP_VERIFY=false",
    ]);
    // Root-owned 0440: readable by Grafana's group 0 (the image runs uid 472, gid 0), not by others.
    expect(
      (c.upload as Record<string, unknown>[]).find((u) => u.file === "/run/secrets/grafana_smtp_password"),
    ).toEqual({
      file: "/run/secrets/grafana_smtp_password",
      content: "${var.grafana_smtp_password}",
      permissions: "0440",
    });
    expect(mail.variable?.grafana_smtp_password).toMatchObject({ sensitive: true, type: "string" });
    const relay = synthStack({
      grafana: {
        smtp: {
          host: "relay.internal:25",
          fromAddress: "grafana@example.com",
          startTlsPolicy: "OpportunisticStartTLS",
        },
      },
    });
    expect(relay.variable?.grafana_smtp_password).toBeUndefined();
    expect(env(resourceAt(relay, "docker_container", "Grafana/Container")).join(" ")).not.toMatch(
      /GF_SMTP_(USER|PASSWORD)/,
    );
  });

  it("serves HTTPS with a certificate from the stack CA, keeps its data on a protected volume, and waits for /api/health", () => {
    expect(env(container)).toEqual(expect.arrayContaining(["GF_SERVER_PROTOCOL=https"]));
    expect(container.volumes).toEqual([
      {
        container_path: "/var/lib/grafana",
        volume_name: expect.stringMatching(/^\$\{docker_volume\.Grafana_Data_/),
      },
    ]);
    expect((container.healthcheck as { test: string[] }).test[1]).toContain(
      "https://localhost:3000/api/health",
    );
    expect(container.wait).toBe(true);
    expect(container.ports).toEqual([{ internal: 3000, external: 3000, ip: "127.0.0.1" }]);
    const moved = resourceAt(
      synthStack({ grafana: { port: 3300 } }),
      "docker_container",
      "Grafana/Container",
    );
    expect(moved.ports).toEqual([{ internal: 3000, external: 3300, ip: "127.0.0.1" }]);
  });

  it("configures the provider with a URL known at plan time, the stack CA and retries", () => {
    const provider = tf.provider.grafana[0];
    expect(provider.url).toBe("https://localhost:3000");
    expect(String(provider.ca_cert)).toMatch(/^\$\{tls_self_signed_cert\./);
    expect(provider.auth).toMatch(/^admin:\$\{random_password\.Grafana_AdminPassword_[0-9A-F]{8}\.result\}$/);
    expect(provider.retries).toBeGreaterThan(0);
  });
});

describe("external Grafana", () => {
  it("uses the configured URL and a sensitive token variable, and runs no Grafana container", () => {
    expect(external.provider.grafana[0]).toMatchObject({
      url: "https://grafana.example.com",
      auth: "${var.grafana_auth}",
    });
    expect(external.variable?.grafana_auth).toMatchObject({ sensitive: true });
    expect(Object.values(resourcesOf(external, "docker_container")).map((c) => c.name)).not.toContain(
      "elk-grafana",
    );
  });
});

describe("datasources", () => {
  it("reads the log indices over verified TLS with the grafana_reader key in http_headers", () => {
    const logs = datasource(tf, DATASOURCE_UIDS.logs);
    expect(logs.type).toBe("elasticsearch");
    // The cluster alias every node answers: one node down does not break the dashboards.
    expect(logs.url).toBe("https://elk-es:9200");
    expect(JSON.parse(logs.json_data_encoded as string)).toMatchObject({
      index: "dreamfactory-logs-*",
      timeField: "@timestamp",
      tlsAuthWithCACert: true,
    });
    expect(JSON.stringify(logs.json_data_encoded)).not.toMatch(/tlsSkipVerify|httpHeader/);
    expect(logs.secure_json_data_encoded).toMatch(
      /^\$\{jsonencode\(\{"tlsCACert" = tls_self_signed_cert\.Ca_Cert_[0-9A-F]{8}\.cert_pem\}\)\}$/,
    );
    expect(logs.http_headers).toEqual({
      Authorization: expect.stringMatching(
        /^ApiKey \$\{elasticstack_elasticsearch_security_api_key\.Elasticsearch_GrafanaReader_ApiKey_[0-9A-F]{8}\.encoded\}$/,
      ),
    });
  });

  it("reads the events index with its own time field", () => {
    const events = datasource(tf, DATASOURCE_UIDS.events);
    expect(JSON.parse(events.json_data_encoded as string)).toMatchObject({
      index: "datafly-events",
      timeField: "timestamp",
    });
  });

  it("reads the gateway's users through Infinity, allowed to call only the gateway", () => {
    const users = datasource(tf, DATASOURCE_UIDS.users);
    expect(users.type).toBe("yesoreyeram-infinity-datasource");
    expect(users.url).toBe("${var.dreamfactory_url}");
    expect(users.json_data_encoded).toBe(
      '${jsonencode({"allowedHosts" = [var.dreamfactory_url], "auth_method" = "none"})}',
    );
    expect(users.http_headers).toEqual({ "X-DreamFactory-API-Key": "${var.dreamfactory_api_key}" });
    expect(tf.variable?.dreamfactory_api_key).toMatchObject({ sensitive: true });
  });

  it("refuses a gateway URL with a trailing slash, which Infinity would join into //api/v2/...", () => {
    // grafana-infinity-datasource pkg/infinity/request.go GetQueryURL (v3.11.1): base URL + path, as strings.
    const variable = tf.variable?.dreamfactory_url as { validation: { condition: string }[] };
    const [{ condition }] = variable.validation;
    expect(condition).toBe(`\${can(regex(${JSON.stringify(GATEWAY_URL_PATTERN)}, var.dreamfactory_url))}`);
    // MODEL: JavaScript's RegExp stands in for Terraform's RE2, which reads this pattern alike
    // (the same cases were run through `terraform plan` 1.11.4 by hand).
    const accepts = (url: string) => new RegExp(GATEWAY_URL_PATTERN).test(url);
    for (const ok of ["https://api.example.com", "https://api.example.com:8443/df", "http://10.0.0.5"])
      expect(accepts(ok)).toBe(true);
    for (const bad of [
      "https://api.example.com/",
      "https://api.example.com/df/",
      "api.example.com",
      "https://a.example.com?x=1",
    ])
      expect(accepts(bad)).toBe(false);
  });

  it("refuses an index pattern that matches no index the stack writes", () => {
    expect(indexPatternMatches("dreamfactory-logs-*", "dreamfactory-logs-2026.11.23")).toBe(true);
    expect(indexPatternMatches("logstash-dreamfactory-*", "dreamfactory-logs-2026.11.23")).toBe(false);
    expect(indexPatternMatches("datafly-events", "datafly-events")).toBe(true);
    expect(() =>
      Testing.synthScope((scope) => {
        new ElasticsearchDatasource(scope, "Logs", {
          uid: "logs",
          name: "Logs",
          url: "https://es:9200",
          apiKeyEncoded: "${var.key}",
          // The guide's "No data" case: Logstash writes dreamfactory-logs-*, Grafana reads logstash-dreamfactory-*.
          target: {
            index: "logstash-dreamfactory-*",
            timeField: "@timestamp",
            writtenIndex: "dreamfactory-logs-2026.11.23",
          },
        });
      }),
    ).toThrow(
      'stack/Logs: target.index = "logstash-dreamfactory-*": does not match "dreamfactory-logs-2026.11.23", the index that is written: its panels would show "No data"',
    );
  });
});

describe("dashboards and the alert", () => {
  const folder = resourceAt(tf, "grafana_folder", "GrafanaContent/Folder");
  const rules = resourceAt(tf, "grafana_rule_group", "GrafanaContent/Alerts");

  it("puts the three dashboards and both rule groups in one folder", () => {
    expect(folder.uid).toBe(CONTENT_UIDS.folder);
    const dashboards = Object.values(resourcesOf(tf, "grafana_dashboard"));
    expect(dashboards.map((d) => JSON.parse(d.config_json as string).uid).sort()).toEqual(
      [CONTENT_UIDS.apiActivity, CONTENT_UIDS.events, CONTENT_UIDS.stackHealth].sort(),
    );
    for (const d of dashboards)
      expect(d.folder).toMatch(/^\$\{grafana_folder\.GrafanaContent_Folder_[0-9A-F]{8}\.uid\}$/);
    expect(rules.folder_uid).toBe(dashboards[0].folder);
    expect(resourceAt(tf, "grafana_rule_group", "GrafanaContent/HealthAlerts").folder_uid).toBe(
      dashboards[0].folder,
    );
  });

  it("alerts on the 5-minute error rate above the configured threshold", () => {
    const [rule] = rules.rule as Record<string, unknown>[];
    expect(rule.name).toBe("API error rate above 5%");
    const models = (rule.data as { model: string; ref_id: string }[]).map((d) => JSON.parse(d.model));
    const threshold = models.find((m) => m.type === "threshold");
    expect(JSON.stringify(threshold)).toContain("[5]");
    const stricter = resourceAt(
      synthStack({ grafana: { alert: { errorRatePercent: 2.5 } } }),
      "grafana_rule_group",
      "GrafanaContent/Alerts",
    );
    const [r2] = stricter.rule as Record<string, unknown>[];
    expect(JSON.stringify((r2.data as { model: string }[]).map((d) => JSON.parse(d.model)))).toContain(
      "[2.5]",
    );
  });

  it("links the rule to the error-rate panel with both reserved annotations", () => {
    // grafana/terraform-provider-grafana docs/resources/rule_group.md (v4.45.1): `__dashboardUid__`
    // and `__panelId__` link an alert to a panel and must be set together.
    const [rule] = rules.rule as { annotations: Record<string, string> }[];
    const [api] = Object.values(resourcesOf(tf, "grafana_dashboard"))
      .map((d) => JSON.parse(d.config_json as string) as DashboardJson)
      .filter((d) => d.uid === rule.annotations.__dashboardUid__);
    expect(api?.uid).toBe(CONTENT_UIDS.apiActivity);
    const linked = api.panels.find((p) => String(p.id) === rule.annotations.__panelId__);
    expect(linked?.title).toBe("Error Rate by HTTP Status");
    expect(rule.annotations).not.toHaveProperty("dashboard_uid");
  });

  it("sends nowhere by default; e-mail or webhook from config, the webhook URL from a sensitive variable", () => {
    expect(resourcesOf(tf, "grafana_contact_point")).toEqual({});
    expect(resourcesOf(tf, "grafana_notification_policy")).toEqual({});
    const email = synthStack({
      grafana: {
        smtp: { host: "smtp.example.com:587", fromAddress: "grafana@example.com" },
        alert: { contact: { type: "email", addresses: ["ops@example.com"] } },
      },
    });
    const [cp] = Object.values(resourcesOf(email, "grafana_contact_point"));
    expect(cp.email).toEqual([{ addresses: ["ops@example.com"], single_email: true }]);
    const [policy] = Object.values(resourcesOf(email, "grafana_notification_policy"));
    expect(policy.contact_point).toMatch(/^\$\{grafana_contact_point\..*\.name\}$/);
    const hook = synthStack({ grafana: { alert: { contact: { type: "webhook" } } } });
    const [hp] = Object.values(resourcesOf(hook, "grafana_contact_point"));
    expect(hp.webhook).toEqual([{ url: "${var.alert_webhook_url}", http_method: "POST" }]);
    expect(hook.variable?.alert_webhook_url).toMatchObject({ sensitive: true });
  });

  it("routes on the rule instead of replacing a shared Grafana's notification policy tree", () => {
    const shared = synthStack({
      ...CONFIGS.external,
      grafana: { url: "https://grafana.example.com", alert: { contact: { type: "webhook" } } },
    });
    expect(resourcesOf(shared, "grafana_notification_policy")).toEqual({});
    const [rule] = resourceAt(shared, "grafana_rule_group", "GrafanaContent/Alerts").rule as Record<
      string,
      unknown
    >[];
    expect(rule.notification_settings).toEqual({
      contact_point: expect.stringMatching(/^\$\{grafana_contact_point\./),
    });
  });
});
