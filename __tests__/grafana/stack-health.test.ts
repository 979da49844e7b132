import { DEAD_LETTER_FIELDS, LOG_FIELDS, LOG_TYPE } from "../../contract/fields";
import {
  CONTENT_UIDS,
  DATASOURCE_UIDS,
  HEALTH_ALERT_UIDS,
  grafanaContentUids,
} from "../../app/analytics-stack";
import {
  DISK_WATERMARKS_PERCENT,
  buildStackHealthDashboard,
  checkDashboardFields,
  type DashboardJson,
  type PanelJson,
} from "../../constructs/grafana/dashboards";
import { GELF_DECODE_FAILURE_TAG, GELF_INCOMPLETE_TAG } from "../../constructs/logstash/pipeline";
import { renderTable } from "../support/grafana-table";
import { infinityFrame, type InfinityTarget } from "../support/grafana-frames";
import { CONFIGS, resourceAt, resourcesOf, synthStack, type TfJson } from "../support/synth";

const tf = synthStack(CONFIGS.docker);
const dashboardOf = (t: TfJson): DashboardJson =>
  Object.values(resourcesOf(t, "grafana_dashboard"))
    .map((d) => JSON.parse((d.config_json as string).replace(/\$\$\{/g, "${")) as DashboardJson)
    .find((d) => d.uid === CONTENT_UIDS.stackHealth) as DashboardJson;
const panel = (d: DashboardJson, id: number): PanelJson => {
  const p = d.panels.find((x) => x.id === id);
  if (!p) throw new Error(`no panel ${id}`);
  return p;
};
type Rule = {
  uid: string;
  name: string;
  condition: string;
  for: string;
  no_data_state: string;
  annotations: Record<string, string>;
  notification_settings?: unknown;
  data: { ref_id: string; datasource_uid: string; model: string; relative_time_range: { from: number } }[];
};
const rulesOf = (t: TfJson): Rule[] =>
  resourceAt(t, "grafana_rule_group", "GrafanaContent/HealthAlerts").rule as Rule[];
const rule = (t: TfJson, uid: string): Rule => {
  const r = rulesOf(t).find((x) => x.uid === uid);
  if (!r) throw new Error(`no rule ${uid}`);
  return r;
};
const model = (r: Rule, refId: string) =>
  JSON.parse(r.data.find((d) => d.ref_id === refId)?.model ?? "null") as Record<string, unknown>;
const threshold = (r: Rule) => {
  const m = model(r, r.condition) as {
    type: string;
    conditions: { evaluator: { type: string; params: number[] } }[];
  };
  expect(m.type).toBe("threshold");
  return m.conditions[0].evaluator;
};
const datasource = (path: string) => resourceAt(tf, "grafana_data_source", `Datasources/${path}`);

describe("stack-health datasources", () => {
  it("reads the cluster's APIs through Infinity with the health reader key, verifying the stack CA", () => {
    const ds = datasource("HealthCluster");
    expect(ds.uid).toBe(DATASOURCE_UIDS.healthCluster);
    expect(ds.url).toBe("https://elk-es:9200");
    expect(ds.http_headers).toEqual({
      Authorization: expect.stringMatching(
        /^ApiKey \$\{elasticstack_elasticsearch_security_api_key\.Elasticsearch_HealthReader_ApiKey_[0-9A-F]{8}\.encoded\}$/,
      ),
    });
    // Terraform's jsonencode of the settings Infinity reads (HCL object syntax in the JSON).
    expect(ds.json_data_encoded).toBe(
      '${jsonencode({"allowedHosts" = ["https://elk-es:9200"], "auth_method" = "none", "tlsAuthWithCACert" = true})}',
    );
    expect(ds.secure_json_data_encoded).toMatch(/tlsCACert.*tls_self_signed_cert\.Ca_Cert/);
  });

  it("reads Logstash's API on the stack network with its basic-auth user and the stack CA", () => {
    const ds = datasource("HealthLogstash");
    expect(ds.url).toBe("https://elk-logstash:9600");
    expect(ds.basic_auth_enabled).toBe(true);
    expect(ds.basic_auth_username).toBe("logstash_api");
    expect(ds.json_data_encoded).toBe(
      '${jsonencode({"allowedHosts" = ["https://elk-logstash:9600"], "auth_method" = "basicAuth", "tlsAuthWithCACert" = true})}',
    );
    expect(ds.secure_json_data_encoded).toMatch(/basicAuthPassword.*random_password\.Logstash_ApiPassword_/);
    expect(ds.secure_json_data_encoded).toMatch(/tlsCACert.*tls_self_signed_cert\.Ca_Cert/);
  });

  it("searches the dead-letter indices with the health reader key", () => {
    const ds = datasource("DeadLetters");
    expect(ds.type).toBe("elasticsearch");
    expect(JSON.parse(ds.json_data_encoded as string)).toMatchObject({
      index: "dead-letters-*",
      timeField: "dead_letter.entry_time",
    });
    expect((ds.http_headers as Record<string, string>).Authorization).toMatch(
      /Elasticsearch_HealthReader_ApiKey/,
    );
  });

  it("are the datasources and dashboards the smoke check looks for, in each mode", () => {
    for (const [mode, t] of [
      ["docker", tf],
      ["external", synthStack(CONFIGS.external)],
    ] as const) {
      const uids = (type: string) => Object.values(resourcesOf(t, type));
      expect(
        uids("grafana_data_source")
          .map((d) => d.uid)
          .sort(),
      ).toEqual([...grafanaContentUids(mode).datasources].sort());
      expect(
        uids("grafana_dashboard")
          .map((d) => JSON.parse(d.config_json as string).uid)
          .sort(),
      ).toEqual([...grafanaContentUids(mode).dashboards].sort());
    }
  });

  it("has no Logstash datasource where Grafana is not on the stack network (external mode)", () => {
    const external = synthStack(CONFIGS.external);
    const uids = Object.values(resourcesOf(external, "grafana_data_source")).map((d) => d.uid);
    expect(uids).toContain(DATASOURCE_UIDS.healthCluster);
    expect(uids).not.toContain(DATASOURCE_UIDS.healthLogstash);
  });
});

describe("the Stack Health dashboard", () => {
  const dashboard = dashboardOf(tf);

  it("is the third dashboard of the folder and queries only mapped fields", () => {
    expect(dashboard.title).toBe("Stack Health");
    const problems = checkDashboardFields(dashboard, {
      [DATASOURCE_UIDS.logs]: LOG_FIELDS,
      [DATASOURCE_UIDS.deadLetters]: DEAD_LETTER_FIELDS,
    });
    expect(problems).toEqual([]);
    // Without the dead-letter catalogue the check refuses its panels: it does look at them.
    expect(checkDashboardFields(dashboard, { [DATASOURCE_UIDS.logs]: LOG_FIELDS }).length).toBeGreaterThan(0);
  });

  it("reads health, allocation and pipeline stats from the APIs that serve them", () => {
    const url = (id: number) =>
      (panel(dashboard, id).targets?.[0] as unknown as InfinityTarget & { url: string }).url;
    expect(url(1)).toBe("/_cluster/health");
    expect(url(2)).toBe("/_cat/allocation");
    // Column aliases without dots, bytes as plain numbers (RestAllocationAction, elasticsearch 8.x).
    expect(
      (panel(dashboard, 2).targets?.[0] as unknown as { url_options: { params: unknown[] } }).url_options
        .params,
    ).toEqual([
      { key: "format", value: "json" },
      { key: "bytes", value: "b" },
      { key: "h", value: "node,diskPercent,diskUsed,diskTotal" },
    ]);
    // logstash-core/lib/logstash/api/commands/stats.rb (v8.19.18): events, queue.capacity,
    // dead_letter_queue, reloads per pipeline.
    const ls = panel(dashboard, 3).targets?.[0] as unknown as InfinityTarget & {
      url: string;
      root_selector: string;
    };
    expect(ls.url).toBe("/_node/stats/pipelines/main");
    expect(ls.root_selector).toBe("pipelines.main");
    expect(ls.columns.map((c) => c.selector)).toEqual([
      "events.in",
      "events.out",
      "queue.capacity.queue_size_in_bytes",
      "queue.capacity.max_queue_size_in_bytes",
      "dead_letter_queue.queue_size_in_bytes",
      "reloads.failures",
    ]);
  });

  it("shows gateway log documents over the last 15 minutes", () => {
    const p = panel(dashboard, 4) as PanelJson & { timeFrom?: string };
    expect(p.timeFrom).toBe("15m");
    expect(p.datasource?.uid).toBe(DATASOURCE_UIDS.logs);
  });

  it("renders disk used per node in Grafana, coloured against the watermarks", async () => {
    const p = panel(dashboard, 2);
    const view = await renderTable(p, [
      infinityFrame(p.targets?.[0] as unknown as InfinityTarget, [
        { node: "elk-es-0", diskPercent: 87, diskUsed: 87 * 2 ** 30, diskTotal: 100 * 2 ** 30 },
      ]),
    ]);
    expect(view.columns).toEqual(["Node", "Disk used %", "Disk used", "Disk total"]);
    expect(view.rows).toEqual([["elk-es-0", "87", "87 GiB", "100 GiB"]]);
    const override = (
      p.fieldConfig as {
        overrides: { matcher: { options: string }; properties: { id: string; value: unknown }[] }[];
      }
    ).overrides.find((o) => o.matcher.options === "Disk used %");
    const steps = (
      override?.properties.find((x) => x.id === "thresholds")?.value as { steps: { value: number | null }[] }
    ).steps;
    expect(steps.map((s) => s.value)).toEqual([
      null,
      DISK_WATERMARKS_PERCENT.low,
      DISK_WATERMARKS_PERCENT.high,
      DISK_WATERMARKS_PERCENT.floodStage,
    ]);
  });

  it("leaves out the Logstash panel when there is no Logstash datasource", () => {
    const d = buildStackHealthDashboard({
      uid: "h",
      title: "H",
      clusterDatasourceUid: "c",
      pipelineId: "main",
      logsDatasourceUid: "l",
      logType: LOG_TYPE,
      deadLettersDatasourceUid: "d",
      gelfTags: { lost: "_lost", undecodable: "_bad" },
    });
    expect(d.panels.map((p) => p.id)).toEqual([1, 2, 4, 5, 6, 7]);
  });
});

describe("stack-health alert rules", () => {
  it("are six, in the folder, each linked to its panel with a summary that says what to do", () => {
    const rules = rulesOf(tf);
    expect(rules.map((r) => r.uid).sort()).toEqual(Object.values(HEALTH_ALERT_UIDS).sort());
    const dashboard = dashboardOf(tf);
    for (const r of rules) {
      expect(r.annotations.__dashboardUid__).toBe(CONTENT_UIDS.stackHealth);
      expect(dashboard.panels.map((p) => String(p.id))).toContain(r.annotations.__panelId__);
      // What happened, then what to do about it.
      expect(r.annotations.summary).toMatch(/\b(check|delete|read|fix|set|free|grow)\b/i);
    }
  });

  it("cluster not green for 10 minutes: active shards below 100 %", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.clusterNotGreen);
    expect(r.for).toBe("10m");
    expect(model(r, "A").url).toBe("/_cluster/health");
    expect(threshold(r)).toEqual({ type: "lt", params: [100] });
    expect(r.no_data_state).toBe("Alerting");
  });

  it("disk above the low watermark", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.diskLowWatermark);
    expect(model(r, "A").url).toBe("/_cat/allocation");
    expect(threshold(r)).toEqual({ type: "gt", params: [DISK_WATERMARKS_PERCENT.low] });
  });

  it("persistent queue above 80 % of its limit", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.queueFull);
    expect(r.data.find((d) => d.ref_id === "A")?.datasource_uid).toBe(DATASOURCE_UIDS.healthLogstash);
    expect(model(r, "E").expression).toBe("$C / ($D + ($D == 0)) * 100");
    expect(threshold(r)).toEqual({ type: "gt", params: [80] });
  });

  it("dead letter queue growing: any document dead-lettered in 15 minutes", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.deadLettersGrowing);
    const a = r.data.find((d) => d.ref_id === "A");
    expect(a?.datasource_uid).toBe(DATASOURCE_UIDS.deadLetters);
    expect(a?.relative_time_range.from).toBe(900);
    expect(threshold(r)).toEqual({ type: "gt", params: [0] });
  });

  it("GELF messages lost: any log document the pipeline tagged as an incomplete message in 15 minutes", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.gelfMessagesLost);
    const a = r.data.find((d) => d.ref_id === "A");
    expect(a?.datasource_uid).toBe(DATASOURCE_UIDS.logs);
    expect(a?.relative_time_range.from).toBe(900);
    // The tag the decoder puts on the event that stands for a lost message (gelf-decoder.test.ts).
    expect(model(r, "A").query).toBe(`tags:"${GELF_INCOMPLETE_TAG}"`);
    expect(threshold(r)).toEqual({ type: "gt", params: [0] });
    expect(r.no_data_state).toBe("OK");
    const p = panel(dashboardOf(tf), Number(r.annotations.__panelId__));
    expect(p.title).toBe("Lost GELF Messages");
    expect(
      (p.targets as unknown as { query: string; alias: string }[]).map((t) => [t.query, t.alias]),
    ).toEqual([
      [`tags:"${GELF_INCOMPLETE_TAG}"`, "Lost (incomplete)"],
      [`tags:"${GELF_DECODE_FAILURE_TAG}"`, "Not GELF"],
    ]);
  });

  it("no gateway logs for the configured minutes, and none when switched off", () => {
    const r = rule(tf, HEALTH_ALERT_UIDS.noGatewayLogs);
    expect(r.name).toBe("No gateway logs for 15 minutes");
    expect(r.data.find((d) => d.ref_id === "A")?.relative_time_range.from).toBe(900);
    expect(threshold(r)).toEqual({ type: "lt", params: [1] });
    expect(r.no_data_state).toBe("Alerting");
    const hour = synthStack({ grafana: { alert: { gatewaySilenceMinutes: 60 } } });
    expect(rule(hour, HEALTH_ALERT_UIDS.noGatewayLogs).data[0].relative_time_range.from).toBe(3600);
    const quiet = synthStack({ grafana: { alert: { gatewaySilenceMinutes: false } } });
    expect(rulesOf(quiet).map((x) => x.uid)).not.toContain(HEALTH_ALERT_UIDS.noGatewayLogs);
  });

  it("route on the rule on a shared Grafana, like the error-rate alert", () => {
    const shared = synthStack({
      ...CONFIGS.external,
      grafana: { url: "https://grafana.example.com", alert: { contact: { type: "webhook" } } },
    });
    const rules = rulesOf(shared);
    // No Logstash API reachable from an external Grafana: five rules.
    expect(rules).toHaveLength(5);
    for (const r of rules)
      expect(r.notification_settings).toEqual({
        contact_point: expect.stringMatching(/^\$\{grafana_contact_point\./),
      });
  });
});
