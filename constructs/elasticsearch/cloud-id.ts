import { CLOUD_ID_FORM, parseCloudId } from "../elastic-cloud-id";

/**
 * Elastic Cloud id → the deployment's Elasticsearch URL. Known at synth time, so the provider
 * endpoint is known at plan time.
 */
export function cloudIdToEndpoint(cloudId: string): string {
  const { host, port, esUuid } = parseCloudId(cloudId);
  if (!esUuid || !/^[A-Za-z0-9]+$/.test(esUuid)) throw new Error(CLOUD_ID_FORM);
  return `https://${esUuid}.${host}:${port}`;
}
