import { parseConfig } from "../../config";
import { parseCli, parseOutputs, resolveSettings } from "../../scripts/smoke/inputs";
import { synthStack } from "../support/synth";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** `terraform output -json` of a kubernetes-mode stack, with the output names the stack declares. */
function outputsJson(): string {
  const tf = synthStack(KUBERNETES_CONFIGS.kubernetes);
  const values: Record<string, string> = {
    elasticsearch_endpoint: tf.output?.elasticsearch_endpoint.value as string,
    grafana_url: tf.output?.grafana_url.value as string,
    events_writer_api_key: "V1JJVEVSOmtleQ==",
    ca_certificate: PEM,
    elasticsearch_user: tf.output?.elasticsearch_user.value as string,
    elasticsearch_password: "es-secret",
    grafana_admin_password: "gf-secret",
  };
  for (const name of Object.keys(values)) expect(tf.output).toHaveProperty(name);
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, { value: v, type: "string", sensitive: false }]),
    ),
  );
}

describe("the smoke check against a kubernetes deployment", () => {
  const outputs = parseOutputs(outputsJson(), "outputs.json");

  it("goes through the configured URLs as the stack's file-realm user", () => {
    const s = resolveSettings(
      parseCli(["--gelf-host", "gelf.example.com"]),
      {},
      parseConfig(KUBERNETES_CONFIGS.kubernetes),
      outputs,
    );
    expect(s).toMatchObject({
      elasticsearch: {
        url: "https://es.example.com:9200",
        user: "terraform",
        adminAuthorization: basic("terraform", "es-secret"),
      },
      grafana: { url: "https://grafana.example.com", authorization: basic("admin", "gf-secret") },
      ca: PEM,
      gelf: { host: "gelf.example.com", port: 12201 },
    });
  });

  it("sends GELF to the node port when the input is a NodePort service", () => {
    const config = parseConfig({
      ...KUBERNETES_CONFIGS.kubernetes,
      kubernetes: {
        ...KUBERNETES_CONFIGS.kubernetes.kubernetes,
        gelf: { service: "NodePort", nodePort: 31201 },
      },
    });
    expect(resolveSettings(parseCli(["--gelf-host", "node1"]), {}, config, outputs).gelf.port).toBe(31201);
  });
});
