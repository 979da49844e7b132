import { App } from "cdktf";
import { Construct } from "constructs";
import { parseConfig } from "../../config";
import { STACK_NAME, localStatePath } from "../../app/app-support";
import { catalogueMappings } from "../../constructs/elasticsearch/definitions";
import { EVENT_FIELDS, EVENT_TIME_FIELD } from "../../contract/fields";
import { MappedIndex } from "../../constructs/elasticsearch/indices";
import { ScopedApiKey } from "../../constructs/elasticsearch/security";
import { buildEventsDashboard } from "../../constructs/grafana/dashboards";
import { ElasticsearchDatasource } from "../../constructs/grafana/datasources";
import { GrafanaFolder } from "../../constructs/grafana/folder";
import { AnalyticsStack } from "../../app/analytics-stack";

/**
 * The scale benchmark's app: the default stack plus N-1 more event indices, each with its
 * own index, writer role and key, datasource and dashboard, built from the same constructs
 * (`node scripts/run-ts.mjs scripts/bench/scale.ts 50`).
 */
export function main(): number {
  const count = Number(process.argv[2] ?? "1");
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    console.error(`usage: scale.ts <number of event indices 1..500>, got ${process.argv[2]}`);
    return 2;
  }
  const config = parseConfig({});
  const app = new App();
  const stack = new AnalyticsStack(app, STACK_NAME, {
    config,
    localStatePath: localStatePath(app.outdir, STACK_NAME),
  });
  const es = stack.elasticsearch;
  const scope = new Construct(stack, "More");
  const uids = Array.from({ length: count - 1 }, (_, k) => `events-${k + 2}`);
  const folder = new GrafanaFolder(scope, "Folder", {
    uid: "more-events",
    title: "More events",
    fieldCatalogues: Object.fromEntries(uids.map((uid) => [uid, EVENT_FIELDS])),
  });
  for (let i = 2; i <= count; i++) {
    const name = `${config.events.index}-${i}`;
    const index = new MappedIndex(scope, `Events${i}`, {
      cluster: es.connection,
      name,
      mappings: catalogueMappings(EVENT_FIELDS),
    });
    const key = new ScopedApiKey(scope, `EventsWriter${i}`, {
      cluster: es.connection,
      roleName: `datafly_writer_${i}`,
      description: `writer of ${name}`,
    });
    index.grantWrite(key);
    // Grafana's one reader key reads every index.
    index.grantRead(es.grafanaReader);
    const uid = `events-${i}`;
    new ElasticsearchDatasource(scope, `EventsDatasource${i}`, {
      uid,
      name: `Product events ${i}`,
      url: es.connection.clusterEndpoint,
      apiKeyEncoded: es.grafanaReader.encoded,
      target: { index: name, timeField: EVENT_TIME_FIELD, writtenIndex: name },
    });
    folder.addDashboard(
      `Dashboard${i}`,
      buildEventsDashboard({
        uid: `datafly-events-${i}`,
        title: `Datafly Events ${i}`,
        eventsDatasourceUid: uid,
      }),
    );
  }
  app.synth();
  return 0;
}
