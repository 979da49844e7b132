/**
 * Elastic Cloud id `name:base64(host[:port]$es-uuid$kibana-uuid)` → the deployment's
 * Elasticsearch URL. Known at synth time, so the provider endpoint is known at plan time.
 */
export function cloudIdToEndpoint(cloudId: string): string {
  const colon = cloudId.indexOf(":");
  const decoded = Buffer.from(cloudId.slice(colon + 1), "base64").toString("utf8");
  const [hostPort, esUuid] = decoded.split("$");
  if (
    colon < 1 ||
    !hostPort ||
    !esUuid ||
    !/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(hostPort) ||
    !/^[A-Za-z0-9]+$/.test(esUuid)
  ) {
    throw new Error("must be an Elastic Cloud id: name:base64(host$es-uuid$kibana-uuid)");
  }
  const [host, port = "443"] = hostPort.split(":");
  return `https://${esUuid}.${host}:${port}`;
}
