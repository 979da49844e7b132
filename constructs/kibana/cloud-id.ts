import { parseCloudId } from "../elastic-cloud-id";

/**
 * Elastic Cloud id → the deployment's Kibana URL, at synth time. The Kibana component is the
 * third `$` field (empty when the deployment has no Kibana).
 */
export function cloudIdToKibanaUrl(cloudId: string): string {
  const { host, port, kibanaUuid } = parseCloudId(cloudId);
  if (!kibanaUuid || !/^[A-Za-z0-9]+$/.test(kibanaUuid))
    throw new Error("carries no Kibana component (name:base64(host$es-uuid$kibana-uuid)): set a Kibana URL");
  return `https://${kibanaUuid}.${host}:${port}`;
}
