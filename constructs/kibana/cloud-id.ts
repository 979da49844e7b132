/**
 * Elastic Cloud id `name:base64(host[:port]$es-uuid$kibana-uuid)` → the deployment's Kibana
 * URL, at synth time. The Kibana component is the third `$` field (empty when the deployment
 * has no Kibana).
 */
export function cloudIdToKibanaUrl(cloudId: string): string {
  const colon = cloudId.indexOf(":");
  const decoded = Buffer.from(cloudId.slice(colon + 1), "base64").toString("utf8");
  const [hostPort, , kibanaUuid] = decoded.split("$");
  if (colon < 1 || !hostPort || !/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(hostPort))
    throw new Error("must be an Elastic Cloud id: name:base64(host$es-uuid$kibana-uuid)");
  if (!kibanaUuid || !/^[A-Za-z0-9]+$/.test(kibanaUuid))
    throw new Error("carries no Kibana component (name:base64(host$es-uuid$kibana-uuid)): set a Kibana URL");
  const [host, port = "443"] = hostPort.split(":");
  return `https://${kibanaUuid}.${host}:${port}`;
}
