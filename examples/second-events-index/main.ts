// The default stack, plus a second product-events index with its own mapping and its own
// writer key, built from the same constructs and the same cluster connection.
import { App, TerraformOutput } from "cdktf";
import {
  AnalyticsStack,
  MappedIndex,
  ScopedApiKey,
  catalogueMappings,
  parseConfig,
  type FieldSpec,
} from "elk-grafana-cdktf";

const ORDER_FIELDS: readonly FieldSpec[] = [
  { path: "order_id", type: "keyword" },
  { path: "customer_id", type: "keyword" },
  { path: "status", type: "keyword" },
  { path: "total", type: "float" },
  { path: "created_at", type: "date" },
  { path: "lines", type: "object" },
];

const app = new App();
const stack = new AnalyticsStack(app, "analytics", {
  config: parseConfig({}),
  localStatePath: "terraform.analytics.tfstate",
});
const es = stack.elasticsearch;

const orders = new MappedIndex(stack, "OrderEvents", {
  cluster: es.connection,
  name: "shop-orders",
  mappings: catalogueMappings(ORDER_FIELDS),
});
const writer = new ScopedApiKey(stack, "OrdersWriter", {
  cluster: es.connection,
  roleName: "orders_writer",
  description: "Shop backend: write orders into shop-orders",
});
orders.grantWrite(writer);
// Grafana's reader key may read the new index too.
orders.grantRead(es.grafanaReader);

new TerraformOutput(stack, "orders_writer_api_key", {
  value: writer.encoded,
  sensitive: true,
  description: "Base64 API key of the orders writer (Authorization: ApiKey <value>)",
});
app.synth();
