import { join } from "node:path";
import { loadConfig, parseConfig } from "../../config";
import { resourceAt, synthStack } from "../support/synth";
import { quantityBytes, quantityProblem } from "../../constructs/kubernetes/common";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";
import { problems } from "../support/config-problems";

const k8s = (kubernetes: object, rest: object = {}) => ({
  mode: "kubernetes",
  ...rest,
  kubernetes: { ...KUBERNETES_CONFIGS.kubernetes.kubernetes, ...kubernetes },
});

describe("kubernetes config", () => {
  it("needs only the two URLs; the rest comes from the constructs' defaults", () => {
    const c = parseConfig(KUBERNETES_CONFIGS.kubernetes);
    expect(c.kubernetes).toMatchObject({
      namespace: "elk",
      elasticsearch: { volumeSize: "10Gi", memory: "2Gi", cpu: "1" },
      logstash: { volumeSize: "4Gi" },
      grafana: { volumeSize: "2Gi" },
      gelf: { service: "LoadBalancer" },
    });
  });

  it.each([
    [
      { mode: "kubernetes" },
      [
        "config: kubernetes.elasticsearchUrl = (missing): kubernetes mode needs it (the providers are configured at plan)",
        "config: kubernetes.grafanaUrl = (missing): kubernetes mode needs it (the providers are configured at plan)",
      ],
    ],
    [
      k8s({ elasticsearchUrl: "http://es.example.com:9200" }),
      [
        'config: kubernetes.elasticsearchUrl = "http://es.example.com:9200": must be an https URL (TLS is verified with the stack CA)',
      ],
    ],
    [
      k8s({ grafanaUrl: "grafana.example.com" }),
      [
        'config: kubernetes.grafanaUrl = "grafana.example.com": must be an https URL (TLS is verified with the stack CA)',
      ],
    ],
    [
      k8s({ grafanaUrl: "https://example.com/grafana" }),
      [
        'config: kubernetes.grafanaUrl = "https://example.com/grafana": must be an https URL without a path, query or fragment',
      ],
    ],
    [k8s({}, { elasticsearch: { nodes: 0 } }), ["config: elasticsearch.nodes = 0: must be >= 1"]],
    [
      k8s({ elasticsearchUrl: "https://es.example.com" }),
      [
        'config: kubernetes.elasticsearchUrl = "https://es.example.com": must name port 9200 (e.g. https://es.example.com:9200): ECK\'s HTTP service keeps its port, which its Kibana association calls',
      ],
    ],
    [
      k8s({ elasticsearch: { volumeSize: "10Gx" } }),
      [
        'config: kubernetes.elasticsearch.volumeSize = "10Gx": must be a positive Kubernetes quantity such as 10Gi, 512Mi, 500m or 2',
      ],
    ],
    [
      k8s({ elasticsearch: { memory: "0Gi" } }),
      [
        'config: kubernetes.elasticsearch.memory = "0Gi": must be a positive Kubernetes quantity such as 10Gi, 512Mi, 500m or 2',
      ],
    ],
    [
      k8s({ gelf: { service: "NodePort", nodePort: 8080 } }),
      ["config: kubernetes.gelf.nodePort = 8080: must be in 30000..32767"],
    ],
    [
      k8s({ gelf: { nodePort: 31000 } }),
      [
        "config: kubernetes.gelf.nodePort = 31000: only used with kubernetes.gelf.service NodePort (it is LoadBalancer)",
      ],
    ],
    [
      k8s({ gelf: { service: "ClusterIP" } }),
      ['config: kubernetes.gelf.service = "ClusterIP": must be one of "LoadBalancer", "NodePort"'],
    ],
    [
      k8s({ namespace: "Analytics" }),
      [
        'config: kubernetes.namespace = "Analytics": must be a DNS label: lowercase letters, digits and -, starting and ending with a letter or digit',
      ],
    ],
    [
      k8s({ logstash: { volumeSize: "1Gi" } }),
      [
        'config: kubernetes.logstash.volumeSize = "1Gi": must hold logstash.queueMaxBytes (1gb) and the dead letter queue (1024mb), or Logstash stops when the volume fills',
      ],
    ],
    [
      k8s({}, { kibana: { enabled: true } }),
      ["config: kubernetes.kibanaUrl = (missing): kubernetes mode with kibana.enabled needs it"],
    ],
    [
      k8s({}, { grafana: { url: "https://grafana.example.com" } }),
      [
        'config: grafana.url = "https://grafana.example.com": only used in external mode (kubernetes mode uses kubernetes.grafanaUrl)',
      ],
    ],
    [
      { kubernetes: { elasticsearchUrl: "https://es.example.com" } },
      [
        'config: kubernetes.elasticsearchUrl = "https://es.example.com": only used in kubernetes mode (mode is docker)',
      ],
    ],
    [k8s({ surprise: 1 }), ["config: kubernetes.surprise = 1: unknown key"]],
    // SupportedLogstashVersions (elastic/cloud-on-k8s pkg/controller/common/version/version.go, v3.5.0).
    [
      k8s({}, { logstash: { version: "8.11.4" } }),
      [
        'config: logstash.version = "8.11.4": must be at least 8.12.0 in kubernetes mode (ECK 3.5.0 runs Logstash from 8.12)',
      ],
    ],
  ])("%j fails with one line per problem", (input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});

describe("Kubernetes quantities (apimachinery pkg/api/resource/quantity.go suffixes)", () => {
  it.each([
    ["10Gi", 10 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["2", 2],
    ["500m", 0.5],
    ["4G", 4e9],
  ])("%s is %d", (q, value) => {
    expect(quantityProblem(q)).toBeUndefined();
    expect(quantityBytes(q)).toBe(value);
  });

  it.each(["10Gx", "10 Gi", "-1Gi", "Gi", "0", "1e3", "10gi", ""])("refuses %j", (q) => {
    expect(quantityProblem(q)).toBeDefined();
    expect(quantityBytes(q)).toBeNaN();
  });
});

describe("examples/kubernetes/stack.yaml (README's example)", () => {
  it("loads and synthesizes three ECK nodes with its sizes", () => {
    const config = loadConfig({ STACK_CONFIG: join(__dirname, "../../examples/kubernetes/stack.yaml") });
    expect(config.mode).toBe("kubernetes");
    const tf = synthStack(config);
    const es = resourceAt(tf, "helm_release", "Elasticsearch/Cluster/Resources/Release");
    expect(es.values).toEqual([expect.stringContaining('"count":3')]);
    expect(es.values).toEqual([expect.stringContaining('"storage":"50Gi"')]);
  });
});
