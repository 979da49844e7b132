/** The parts of an Elastic Cloud id `name:base64(host[:port]$es-uuid$kibana-uuid)`, shared by the components. */
export interface CloudIdParts {
  readonly host: string;
  readonly port: string;
  /** Empty when missing. */
  readonly esUuid: string;
  /** Empty when the deployment has no Kibana. */
  readonly kibanaUuid: string;
}

export const CLOUD_ID_FORM = "must be an Elastic Cloud id: name:base64(host$es-uuid$kibana-uuid)";

/** Decodes a cloud id; throws `CLOUD_ID_FORM` when its name or host part is malformed. */
export function parseCloudId(cloudId: string): CloudIdParts {
  const colon = cloudId.indexOf(":");
  const decoded = Buffer.from(cloudId.slice(colon + 1), "base64").toString("utf8");
  const [hostPort, esUuid = "", kibanaUuid = ""] = decoded.split("$");
  if (colon < 1 || !hostPort || !/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(hostPort)) throw new Error(CLOUD_ID_FORM);
  const [host, port = "443"] = hostPort.split(":");
  return { host, port, esUuid, kibanaUuid };
}
