// The seed use case: a platform team already runs Elastic Cloud and wants only the
// `datafly-events` index, its writer key and the body that installs Datafly Signal's
// integration. No containers, no Grafana, no log pipeline.
import { App, Fn, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import {
  EVENT_FIELDS,
  ExternalElasticsearchCluster,
  MappedIndex,
  ScopedApiKey,
  catalogueMappings,
  signalIntegrationBody,
} from "elk-grafana-cdktf";

const app = new App();
const stack = new TerraformStack(app, "events");

// The deployment's cloud id (Elastic Cloud console → deployment → Cloud ID).
const cloudId =
  process.env.ELASTIC_CLOUD_ID ??
  `analytics:${Buffer.from("europe-west1.gcp.cloud.es.io:443$abc123def456$kib789").toString("base64")}`;
const password = new TerraformVariable(stack, "elasticsearch_password", {
  type: "string",
  sensitive: true,
  description: "Password of a user with manage_security and manage_index_templates",
});
const cluster = new ExternalElasticsearchCluster(stack, "Cluster", {
  cloudId,
  username: "elastic",
  password: password.stringValue,
});

const events = new MappedIndex(stack, "Events", {
  cluster,
  name: "datafly-events",
  mappings: catalogueMappings(EVENT_FIELDS),
});
const writer = new ScopedApiKey(stack, "EventsWriter", {
  cluster,
  roleName: "datafly_writer",
  description: "Datafly Signal: write events into datafly-events",
});
// The key may write into this index and nothing else.
events.grantWrite(writer);

new TerraformOutput(stack, "signal_integration", {
  value: Fn.jsonencode(signalIntegrationBody({ cluster, index: events.name, apiKeyEncoded: writer.encoded })),
  sensitive: true,
  description: "Body for POST /v1/admin/integration-catalog/elasticsearch/install",
});
app.synth();
