import { App } from "cdktf";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { parseConfig } from "../../config";
import { STACK_NAME, localStatePath } from "../../constructs/app-support";
import { terraformLiteral } from "../../constructs/docker/common";
import { roleDescriptors } from "../../constructs/elasticsearch/definitions";
import { EVENT_FIELDS, EVENT_TIME_FIELD } from "../../constructs/elasticsearch/fields";
import { EventsIndex } from "../../constructs/elasticsearch/indices";
import { ScopedApiKey } from "../../constructs/elasticsearch/security";
import { assertDashboardFields, buildEventsDashboard } from "../../constructs/grafana/dashboards";
import { AnalyticsStack } from "../../constructs/stack";

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
  for (let i = 2; i <= count; i++) {
    const name = `${config.events.index}-${i}`;
    const index = new EventsIndex(es, `Events${i}`, { name, replicas: 0, dependsOn: es.connection.ready });
    const descriptor = roleDescriptors({
      eventsIndex: name,
      logsIndexPattern: es.logs.pattern,
    }).datafly_writer;
    const key = new ScopedApiKey(es, `EventsWriter${i}`, {
      roleName: `datafly_writer_${i}`,
      descriptor,
      description: `writer of ${name}`,
      dependsOn: [...es.connection.ready, index.resource],
    });
    const uid = `events-${i}`;
    new DataSource(stack, `EventsDatasource${i}`, {
      uid,
      name: `Product events ${i}`,
      type: "elasticsearch",
      url: es.connection.clientEndpoints[0],
      jsonDataEncoded: JSON.stringify({ index: name, timeField: EVENT_TIME_FIELD }),
      httpHeaders: { Authorization: `ApiKey ${key.encoded}` },
    });
    const dashboard = buildEventsDashboard({
      uid: `datafly-events-${i}`,
      title: `Datafly Events ${i}`,
      eventsDatasourceUid: uid,
    });
    assertDashboardFields(dashboard, { [uid]: EVENT_FIELDS });
    new Dashboard(stack, `EventsDashboard${i}`, {
      configJson: terraformLiteral(JSON.stringify(dashboard)),
      overwrite: true,
    });
  }
  app.synth();
  return 0;
}
