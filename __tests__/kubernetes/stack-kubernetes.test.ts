import { resourceAt, resourcesOf, synthStack, type TfJson } from "../support/synth";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";
import { DOCKER_GRAFANA_DEFAULTS } from "../../constructs/grafana/instance";
import { LOGSTASH_DEFAULTS } from "../../constructs/logstash/container";
import { API_KEY_ENV } from "../../constructs/logstash/dreamfactory";

const tf = synthStack(KUBERNETES_CONFIGS.kubernetes);
const withKibana = synthStack(KUBERNETES_CONFIGS.kubernetesKibana);
const docker = synthStack({});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The objects a release of the local chart carries (its values). */
function releaseObjects(stack: TfJson, path: string): Obj[] {
  const release = resourceAt(stack, "helm_release", `${path}/Resources/Release`);
  const values = JSON.parse((release.values as string[])[0].replace(/([$%])\1\{/g, "$1{")) as {
    objects: Obj[];
  };
  return values.objects;
}
const kind = (objects: Obj[], k: string): Obj => {
  const found = objects.filter((o) => o.kind === k);
  if (found.length !== 1) throw new Error(`expected one ${k}, got ${found.length}`);
  return found[0];
};
const elasticsearch = kind(releaseObjects(tf, "Elasticsearch/Cluster"), "Elasticsearch");
const logstash = kind(releaseObjects(tf, "Logstash"), "Logstash");
const grafanaValues = JSON.parse(
  (resourceAt(tf, "helm_release", "Grafana/Release").values as string[])[0],
) as Obj;

describe("mode: kubernetes, the platform", () => {
  it("synthesizes with only the two URLs and runs nothing in docker", () => {
    expect(Object.keys(tf.resource).filter((t) => t.startsWith("docker_"))).toEqual([]);
    expect(Object.keys(tf.provider)).not.toContain("docker");
    expect(Object.keys(tf.provider)).toEqual(expect.arrayContaining(["kubernetes", "helm"]));
  });

  it("installs the pinned ECK operator with its CRDs, managing only the stack's namespace", () => {
    const op = resourceAt(tf, "helm_release", "Platform/EckOperator/Release");
    // elastic/cloud-on-k8s deploy/eck-operator/Chart.yaml and values.yaml, v3.5.0.
    expect(op).toMatchObject({
      repository: "https://helm.elastic.co",
      chart: "eck-operator",
      version: "3.5.0",
      wait: true,
    });
    expect(JSON.parse((op.values as string[])[0])).toMatchObject({
      installCRDs: true,
      managedNamespaces: ["elk"],
    });
  });

  it("applies every custom resource after the operator, through a release of the local chart", () => {
    const releases = resourcesOf(tf, "helm_release");
    const operator = Object.keys(releases).find((k) => k.startsWith("Platform_EckOperator"));
    for (const path of ["Elasticsearch/Cluster", "Logstash"]) {
      const r = resourceAt(tf, "helm_release", `${path}/Resources/Release`);
      expect(r.chart).toMatch(/^assets\/[^/]+\/[0-9A-F]+$/);
      expect(r.depends_on).toContain(`helm_release.${operator}`);
    }
    expect(elasticsearch.apiVersion).toBe("elasticsearch.k8s.elastic.co/v1");
    expect(logstash.apiVersion).toBe("logstash.k8s.elastic.co/v1alpha1");
  });
});

describe("Elasticsearch through ECK", () => {
  it("has the configured node count and data volumes, kept when the resource is deleted", () => {
    const cfg = synthStack({
      ...KUBERNETES_CONFIGS.kubernetes,
      elasticsearch: { nodes: 3 },
      backups: { repository: { type: "s3", bucket: "snapshots" } },
      kubernetes: { ...KUBERNETES_CONFIGS.kubernetes.kubernetes, storageClass: "fast-ssd" },
    });
    const es = kind(releaseObjects(cfg, "Elasticsearch/Cluster"), "Elasticsearch");
    expect(es.spec.nodeSets[0].count).toBe(3);
    expect(es.spec.nodeSets[0].volumeClaimTemplates).toEqual([
      {
        metadata: { name: "elasticsearch-data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "10Gi" } },
          storageClassName: "fast-ssd",
        },
      },
    ]);
    expect(es.spec.volumeClaimDeletePolicy).toBe("DeleteOnScaledownOnly");
  });

  it("serves the stack CA's certificate, naming the URL's host and the in-cluster service", () => {
    expect(elasticsearch.spec.http.tls.certificate.secretName).toBe("elk-es-http-certs-stack");
    const secret = resourceAt(tf, "kubernetes_secret_v1", "Elasticsearch/Cluster/HttpCertificate");
    expect((secret.metadata as Obj).name).toBe("elk-es-http-certs-stack");
    // Keys ECK reads from a custom certificate secret (pkg/controller/common/certificates/secret.go, v3.5.0).
    expect(Object.keys(secret.data as Obj).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
    expect((secret.data as Obj)["ca.crt"]).toMatch(
      /^\$\{tls_self_signed_cert\.Ca_Cert_[0-9A-F]+\.cert_pem\}$/,
    );
    // ECK's own client checks the chain but not the name (pkg/controller/common/http/http_client.go,
    // v3.5.0); Kibana's association and Logstash call <name>-es-http.<namespace>.svc, the providers the URL.
    const request = resourceAt(tf, "tls_cert_request", "Ca/Http/Request");
    expect(request.dns_names).toEqual(
      expect.arrayContaining(["es.example.com", "elk-es-http", "elk-es-http.elk.svc"]),
    );
  });

  it("exposes HTTP through a LoadBalancer service on ECK's own port", () => {
    // ECK keeps its ports when none are given (pkg/controller/common/defaults/service.go, v3.5.0).
    expect(elasticsearch.spec.http.service).toEqual({ spec: { type: "LoadBalancer" } });
  });

  it("knows its superuser in advance: a file-realm user with the bcrypt hash of a generated password", () => {
    expect(elasticsearch.spec.auth.fileRealm).toEqual([{ secretName: "elk-es-stack-users" }]);
    const realm = resourceAt(tf, "kubernetes_secret_v1", "Elasticsearch/Cluster/FileRealm");
    const data = realm.data as Obj;
    // Format of ECK's file realm secret: `user:hash` and `role:user,...` rows
    // (pkg/controller/elasticsearch/user/filerealm/users.go, users_roles.go, v3.5.0).
    expect(data.users).toMatch(
      /^terraform:\$\{random_password\.Elasticsearch_Cluster_TerraformPassword_[0-9A-F]+\.bcrypt_hash\}\n$/,
    );
    expect(data.users_roles).toBe("superuser:terraform\n");
    const provider = tf.provider.elasticstack[0] as Obj;
    expect(provider.elasticsearch).toMatchObject({
      endpoints: ["https://es.example.com:9200"],
      username: "terraform",
    });
    expect(provider.elasticsearch.password).toMatch(
      /random_password\.Elasticsearch_Cluster_TerraformPassword/,
    );
    expect(provider.elasticsearch.ca_data).toMatch(/tls_self_signed_cert\.Ca_Cert/);
  });

  it("holds the release until the cluster answers, so the indices and keys come after", () => {
    const job = kind(releaseObjects(tf, "Elasticsearch/Cluster"), "Job");
    expect(job.metadata.annotations["helm.sh/hook"]).toBe("post-install,post-upgrade");
    expect(job.spec.template.spec.containers[0].command[2]).toContain(
      "https://elk-es-http.elk.svc:9200/_cluster/health?wait_for_status=yellow",
    );
    const index = resourceAt(tf, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index");
    expect(JSON.stringify(index.depends_on)).toMatch(/helm_release\.Elasticsearch_Cluster_Resources_Release/);
  });
});

describe("Logstash through ECK", () => {
  it("runs the same pipeline model as docker mode, writing to the in-cluster service", () => {
    const pipelines = logstash.spec.pipelines as Obj[];
    expect(pipelines.map((p) => p["pipeline.id"])).toEqual(["main", "dead-letters"]);
    const text = pipelines[0]["config.string"] as string;
    expect(text).toContain('hosts => ["https://elk-es-http.elk.svc:9200"]');
    expect(text).toContain("port => 12201");
    const dockerUpload = (resourceAt(docker, "docker_container", "Logstash/Container").upload as Obj[]).find(
      (u) => u.file === "/usr/share/logstash/pipeline/api-logs.conf",
    );
    // Only the output's host differs between the modes.
    expect(text.replace(/hosts => \[[^\]]*\]/, "")).toBe(
      (dockerUpload?.content as string).replace(/([$%])\1\{/g, "$1{").replace(/hosts => \[[^\]]*\]/, ""),
    );
    expect(logstash.spec.version).toBe(LOGSTASH_DEFAULTS.version);
  });

  it("indexes main's dead letters through the same dead-letter pipeline as docker mode", () => {
    const deadLetters = (logstash.spec.pipelines as Obj[])[1];
    const dockerUpload = (resourceAt(docker, "docker_container", "Logstash/Container").upload as Obj[]).find(
      (u) => u.file === "/usr/share/logstash/pipeline/dead-letters.conf",
    );
    const text = deadLetters["config.string"] as string;
    expect(text.replace(/hosts => \[[^\]]*\]/, "")).toBe(
      (dockerUpload?.content as string).replace(/([$%])\1\{/g, "$1{").replace(/hosts => \[[^\]]*\]/, ""),
    );
    expect(deadLetters).toMatchObject({ "pipeline.workers": 1, "queue.type": "memory" });
    // The dead_letter_queue input fails until main's queue directory exists (see the container's mkdir).
    const init = logstash.spec.podTemplate.spec.initContainers[0];
    expect(init.command.join(" ")).toContain("mkdir -p /usr/share/logstash/data/dead_letter_queue/main");
    expect(init.volumeMounts).toEqual([{ name: "logstash-data", mountPath: "/usr/share/logstash/data" }]);
  });

  it("reads the writer key from a secret as env: referenced, never inlined", () => {
    const container = logstash.spec.podTemplate.spec.containers[0];
    expect(container.env).toContainEqual({
      name: API_KEY_ENV,
      valueFrom: { secretKeyRef: { name: "elk-ls-stack-env", key: API_KEY_ENV } },
    });
    expect(JSON.stringify(logstash)).not.toMatch(/elasticstack_elasticsearch_security_api_key/);
    const env = resourceAt(tf, "kubernetes_secret_v1", "Logstash/Env");
    expect((env.data as Obj)[API_KEY_ENV]).toMatch(
      /^\$\{elasticstack_elasticsearch_security_api_key\.Elasticsearch_LogstashWriter_ApiKey_[0-9A-F]+\.key_id\}:\$\{elasticstack_elasticsearch_security_api_key\.Elasticsearch_LogstashWriter_ApiKey_[0-9A-F]+\.api_key\}$/,
    );
  });

  it("keeps the persistent queue and the DLQ on a claim of the configured class and size", () => {
    const cfg = synthStack({
      ...KUBERNETES_CONFIGS.kubernetes,
      kubernetes: {
        ...KUBERNETES_CONFIGS.kubernetes.kubernetes,
        storageClass: "fast-ssd",
        logstash: { volumeSize: "8Gi" },
      },
    });
    const ls = kind(releaseObjects(cfg, "Logstash"), "Logstash");
    // The claim ECK mounts at /usr/share/logstash/data (pkg/controller/logstash/volume/names.go, v3.5.0).
    expect(ls.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: "logstash-data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: "8Gi" } },
          storageClassName: "fast-ssd",
        },
      },
    ]);
    expect(ls.spec.config).toMatchObject({
      "queue.type": "persisted",
      "path.data": "/usr/share/logstash/data",
      "dead_letter_queue.enable": true,
      // ECK's readiness probe needs the API on the pod IP (pkg/controller/logstash/config.go, v3.5.0).
      "api.http.host": "0.0.0.0",
    });
  });

  it("exposes GELF over UDP as the config says", () => {
    expect(logstash.spec.services).toEqual([
      {
        name: "gelf",
        service: {
          spec: {
            type: "LoadBalancer",
            ports: [{ name: "gelf", port: 12201, targetPort: 12201, protocol: "UDP" }],
          },
        },
      },
    ]);
    const nodePort = synthStack({
      ...KUBERNETES_CONFIGS.kubernetes,
      kubernetes: {
        ...KUBERNETES_CONFIGS.kubernetes.kubernetes,
        gelf: { service: "NodePort", nodePort: 31201 },
      },
    });
    const ls = kind(releaseObjects(nodePort, "Logstash"), "Logstash");
    expect(ls.spec.services[0].service.spec).toEqual({
      type: "NodePort",
      ports: [{ name: "gelf", port: 12201, targetPort: 12201, protocol: "UDP", nodePort: 31201 }],
    });
  });

  it("mounts the Ruby library and the cluster CA where the pipeline reads them", () => {
    const mounts = logstash.spec.podTemplate.spec.containers[0].volumeMounts as Obj[];
    expect(mounts.map((m) => m.mountPath).sort()).toEqual([
      "/usr/share/logstash/config/certs/elasticsearch-ca.crt",
      "/usr/share/logstash/config/elk-filters.rb",
    ]);
    const files = resourceAt(tf, "kubernetes_config_map_v1", "Logstash/Files");
    expect(Object.keys(files.data as Obj).sort()).toEqual(["elasticsearch-ca.crt", "elk-filters.rb"]);
  });
});

describe("Grafana from the community chart", () => {
  const release = resourceAt(tf, "helm_release", "Grafana/Release");

  it("pins the chart and the docker mode's Grafana image", () => {
    // grafana-community/helm-charts charts/grafana/Chart.yaml and README (helm repo add), grafana-12.11.1.
    expect(release).toMatchObject({
      repository: "https://grafana-community.github.io/helm-charts",
      chart: "grafana",
      version: "12.11.1",
    });
    expect(grafanaValues.image).toEqual({ tag: DOCKER_GRAFANA_DEFAULTS.version });
  });

  it("installs the pinned Infinity plugin the way Grafana 11 reads it", () => {
    // The chart's `plugins` becomes GF_PLUGINS_PREINSTALL_SYNC (charts/grafana/templates/_pod.tpl,
    // grafana-12.11.1), which only Grafana >= 12.1 reads; 11.x run.sh installs GF_INSTALL_PLUGINS.
    expect(grafanaValues.plugins).toBeUndefined();
    expect(grafanaValues.env.GF_INSTALL_PLUGINS).toBe(
      `yesoreyeram-infinity-datasource ${DOCKER_GRAFANA_DEFAULTS.infinityPluginVersion}`,
    );
  });

  it("takes the admin password from an existing secret and keeps its volume", () => {
    const admin = resourceAt(tf, "kubernetes_secret_v1", "Grafana/Admin");
    expect(grafanaValues.admin).toEqual({
      existingSecret: (admin.metadata as Obj).name,
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect((admin.data as Obj)["admin-password"]).toMatch(
      /^\$\{random_password\.Grafana_AdminPassword_[0-9A-F]+\.result\}$/,
    );
    expect(grafanaValues.persistence).toMatchObject({ enabled: true, size: "2Gi" });
    expect(grafanaValues.persistence.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
  });

  it("serves HTTPS with the stack CA's certificate for the URL's host, which the provider verifies", () => {
    expect(grafanaValues["grafana.ini"].server).toMatchObject({
      protocol: "https",
      root_url: "https://grafana.example.com/",
    });
    expect(grafanaValues.service).toEqual({ type: "LoadBalancer", port: 443, targetPort: 3000 });
    expect(grafanaValues.readinessProbe.httpGet.scheme).toBe("HTTPS");
    expect(resourceAt(tf, "tls_cert_request", "Ca/Grafana/Request").dns_names).toContain(
      "grafana.example.com",
    );
    const provider = tf.provider.grafana[0] as Obj;
    expect(provider.url).toBe("https://grafana.example.com");
    expect(provider.ca_cert).toMatch(/tls_self_signed_cert\.Ca_Cert/);
  });
});

describe("Kibana through ECK (kibana.enabled)", () => {
  const kibana = kind(releaseObjects(withKibana, "Kibana"), "Kibana");

  it("refers to the ECK cluster and serves the stack CA's certificate for its URL", () => {
    expect(kibana.apiVersion).toBe("kibana.k8s.elastic.co/v1");
    expect(kibana.spec.elasticsearchRef).toEqual({ name: "elk" });
    expect(kibana.spec.http.tls.certificate.secretName).toBe("elk-kb-http-certs-stack");
    expect(resourceAt(withKibana, "tls_cert_request", "Ca/Kibana/Request").dns_names).toContain(
      "kibana.example.com",
    );
    const kibanaProvider = (withKibana.provider.elasticstack as Obj[]).find((p) => p.alias === "kibana");
    expect(kibanaProvider?.kibana.endpoints).toEqual(["https://kibana.example.com"]);
  });

  it("creates the data views only once Kibana answers", () => {
    const view = Object.values(resourcesOf(withKibana, "elasticstack_kibana_data_view"))[0];
    expect(JSON.stringify(view.depends_on)).toMatch(/helm_release\.Kibana_Resources_Release_[0-9A-F]+/);
    const job = kind(releaseObjects(withKibana, "Kibana"), "Job");
    expect(job.spec.template.spec.containers[0].command[2]).toContain(
      "https://elk-kb-http.elk.svc:443/api/status", // the service port is the URL's
    );
  });
});

describe("everything above the cluster is docker mode's", () => {
  const content = (stack: TfJson) =>
    Object.entries(stack.resource)
      .filter(([type]) => type.startsWith("elasticstack_") || type.startsWith("grafana_"))
      .flatMap(([type, rs]) => Object.keys(rs).map((k) => `${type}.${k}`))
      .sort();

  it("has the same indices, templates, lifecycle, roles, keys, datasources, dashboards and alerts", () => {
    // Logstash's secured API reaches Grafana only on docker mode's own network (grafanaContentUids).
    const logstashHealth = "grafana_data_source.Datasources_HealthLogstash_518840AB";
    expect(content(docker)).toContain(logstashHealth);
    expect(content(tf)).toEqual(content(docker).filter((r) => r !== logstashHealth));
  });

  it("has docker mode's outputs, the operator credentials as the file-realm user's", () => {
    const outputs = Object.keys(tf.output ?? {}).sort();
    expect(outputs).toEqual(
      expect.arrayContaining([
        "elasticsearch_endpoint",
        "grafana_url",
        "events_writer_api_key",
        "signal_integration",
        "ca_certificate",
      ]),
    );
    expect(tf.output?.elasticsearch_endpoint.value).toBe("https://es.example.com:9200");
    expect(tf.output?.elasticsearch_password.sensitive).toBe(true);
    expect(tf.output?.grafana_admin_password.sensitive).toBe(true);
  });
});

describe("secrets reach the cluster only through kubernetes_secret_v1", () => {
  // Helm keeps a release's values in its release secret and the objects show them to anyone who
  // may read the resources: they carry names of secrets, never a Terraform value.
  it.each([
    ["kubernetes", tf],
    ["kubernetesKibana", withKibana],
  ])("no release of the %s stack interpolates a Terraform value", (_name, stack) => {
    for (const [address, release] of Object.entries(resourcesOf(stack, "helm_release")))
      for (const values of release.values as string[])
        // A raw `${…}`, or a resource reference the local chart's escaping turned into text.
        expect({
          address,
          interpolations: values.match(/[$%]\{([a-z_]+\.[A-Za-z0-9_]+\.|[^}]*\()/g) ?? [],
        }).toEqual({
          address,
          interpolations: [],
        });
  });
});

it("synthesizes the same JSON twice (the local chart's asset path is a content hash)", () => {
  expect(JSON.stringify(synthStack(KUBERNETES_CONFIGS.kubernetesKibana))).toBe(JSON.stringify(withKibana));
  expect(JSON.stringify(withKibana)).not.toMatch(/\/(home|root|work|tmp|Users)\//);
});

it("rolls Logstash when the Ruby library changes", () => {
  const annotation = (stack: TfJson) =>
    kind(releaseObjects(stack, "Logstash"), "Logstash").spec.podTemplate.metadata.annotations[
      "elk-grafana-cdktf/files-sha256"
    ] as string;
  const redacting = synthStack({
    ...KUBERNETES_CONFIGS.kubernetes,
    logstash: { responseTime: { enabled: true } },
  });
  expect(annotation(tf)).toMatch(/^[0-9a-f]{64}$/);
  expect(annotation(redacting)).not.toBe(annotation(tf));
});
