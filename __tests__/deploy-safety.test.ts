import { EVENT_FIELDS, LOG_FIELDS } from "../contract/fields";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { ConfigError, parseConfig, type StackConfigInput } from "../config";
import { goDuration } from "../constructs/docker/common";
import { catalogueMappings, echoForm } from "../constructs/elasticsearch/definitions";
import { CertificateAuthority } from "../constructs/pki/certificate-authority";
import { certificateCovers, tlsNameProblems } from "../constructs/tls-names";
import { CONFIGS, resourcesOf, synthStack, type TfJson } from "./support/synth";

/**
 * What the first deploy, and every plan after it, depend on: behaviours of Elasticsearch's
 * image, the docker provider, the elasticstack provider and Terraform itself, each read in the
 * upstream source named next to the test that encodes it.
 */

const VARIANTS: Record<string, StackConfigInput> = {
  ...CONFIGS,
  bindAll: { docker: { bindAddress: "0.0.0.0" } },
  hostIp: { docker: { bindAddress: "10.0.0.5" } },
  hostIpThreeNodes: { docker: { bindAddress: "10.0.0.5" }, elasticsearch: { nodes: 3 } },
  ipv6All: { docker: { bindAddress: "::" } },
  hostIpv6: { docker: { bindAddress: "fd00::5" } },
};
const stacks = Object.entries(VARIANTS).map(([name, input]) => [name, synthStack(input)] as const);
const dockerStacks = stacks.filter(([name]) => !["external", "elasticCloud"].includes(name));

type Container = Record<string, unknown> & {
  name: string;
  env?: string[];
  upload?: { file: string; content: string; permissions?: string }[];
  healthcheck?: Record<string, unknown>;
};
const containers = (tf: TfJson) => Object.values(resourcesOf(tf, "docker_container")) as Container[];
const esNodes = (tf: TfJson) => containers(tf).filter((c) => /-es-\d$/.test(c.name));

describe("Elasticsearch's password file", () => {
  // elastic/elasticsearch distribution/src/bin/elasticsearch-env-from-file (8.x, sourced by the image's
  // docker-entrypoint.sh): exits 1 unless `stat -L -c %a` of ELASTIC_PASSWORD_FILE is 400 or 600.
  const entrypointAccepts = (permissions: string | undefined) =>
    ["400", "600"].includes((permissions ?? "0644").replace(/^0+(?=\d{3}$)/, ""));

  test.each(dockerStacks)(
    "%s: has a mode the entrypoint accepts, and a reader that may open it",
    (_n, tf) => {
      for (const node of esNodes(tf)) {
        const env = node.env ?? [];
        const path = env.find((e) => e.startsWith("ELASTIC_PASSWORD_FILE="))?.split("=")[1];
        expect(path).toBeDefined();
        expect(env.some((e) => e.startsWith("ELASTIC_PASSWORD="))).toBe(false);
        const upload = node.upload?.find((u) => u.file === path);
        expect(entrypointAccepts(upload?.permissions)).toBe(true);
        // kreuzwerker/terraform-provider-docker v3.6.2 internal/provider/resource_docker_container_funcs.go:
        // the upload's tar header sets Name, Mode, Size and ModTime only, so the file is root:root. With mode
        // 400/600 only root reads it: the entrypoint must start as root (it then runs Elasticsearch via
        // `chroot --userspec=1000:0`), and the healthcheck, which runs as the container's user, too.
        expect(String(node.user).split(":")[0]).toBe("0");
        // The content is a reference to random_password, never a literal.
        expect(upload?.content).toMatch(/^\$\{random_password\.[A-Za-z0-9_]+\.result\}$/);
        const test = (node.healthcheck?.test as string[]).join(" ");
        expect(test).toContain(`$(cat ${path})`);
      }
    },
  );

  test("a mode the entrypoint refuses is caught by the rule above", () => {
    expect(entrypointAccepts("0440")).toBe(false);
    expect(entrypointAccepts("0644")).toBe(false);
    expect(entrypointAccepts("0600")).toBe(true);
    expect(entrypointAccepts("0400")).toBe(true);
  });
});

describe("mappings are written as Elasticsearch echoes them", () => {
  // elastic/elasticsearch server/src/main/java/org/elasticsearch/index/mapper/ObjectMapper.java (8.x),
  // toXContent: `type: object` only when the object has no sub-mappers, `dynamic` as a lower-case
  // string, `enabled` only when it differs from the default true; elastic/elasticsearch#48802.
  test("the echo rules on a hand-written example", () => {
    expect(
      echoForm({
        dynamic: false,
        properties: {
          a: { type: "object", enabled: true, dynamic: true },
          b: { type: "object", properties: { c: { type: "keyword" } } },
          d: { type: "object", enabled: false },
          e: { type: "date" },
        },
      }),
    ).toEqual({
      dynamic: "false",
      properties: {
        a: { type: "object", dynamic: "true" },
        b: { properties: { c: { type: "keyword" } } },
        d: { type: "object", enabled: false },
        e: { type: "date" },
      },
    });
  });

  test("every mapping the stack writes is already in echo form", () => {
    for (const [, tf] of stacks) {
      const templates = Object.values(resourcesOf(tf, "elasticstack_elasticsearch_index_template"));
      for (const t of templates) {
        const mappings = JSON.parse((t.template as { mappings: string }).mappings) as object;
        expect(echoForm(mappings)).toEqual(mappings);
      }
      // Events, the daily logs, the dead letters.
      expect(templates.length).toBe(3);
    }
    expect(echoForm(catalogueMappings(EVENT_FIELDS))).toEqual(catalogueMappings(EVENT_FIELDS));
    expect(echoForm(catalogueMappings(LOG_FIELDS))).toEqual(catalogueMappings(LOG_FIELDS));
  });

  test("no index resource carries mappings, which grow with dynamic sub-fields", () => {
    // elastic/terraform-provider-elasticstack v0.13.1 internal/elasticsearch/index/index: after create the
    // provider stores GET /<index> mappings and compares them with the config; dynamic objects add
    // sub-fields (echoed without `type: object`) as documents arrive, so no config text could match.
    for (const [, tf] of stacks)
      for (const index of Object.values(resourcesOf(tf, "elasticstack_elasticsearch_index")))
        expect(index.mappings).toBeUndefined();
  });
});

describe("no create_before_destroy reaches a container", () => {
  /** Direct dependencies of every resource: depends_on and ${type.name…} references. */
  function dependencies(tf: TfJson): Map<string, Set<string>> {
    const deps = new Map<string, Set<string>>();
    const addresses = new Set<string>();
    for (const [type, byName] of Object.entries(tf.resource))
      for (const name of Object.keys(byName)) addresses.add(`${type}.${name}`);
    for (const [type, byName] of Object.entries(tf.resource))
      for (const [name, body] of Object.entries(byName)) {
        const text = JSON.stringify(body);
        const found = new Set<string>();
        for (const m of text.matchAll(/([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g)) {
          const address = `${m[1]}.${m[2]}`;
          if (addresses.has(address) && address !== `${type}.${name}`) found.add(address);
        }
        deps.set(`${type}.${name}`, found);
      }
    return deps;
  }

  function ancestors(deps: Map<string, Set<string>>, start: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(deps.get(start) ?? [])];
    while (todo.length > 0) {
      const next = todo.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...(deps.get(next) ?? []));
    }
    return seen;
  }

  // hashicorp/terraform v1.11.4 internal/terraform/transform_destroy_cbd.go (ForcedCBDTransformer) and
  // docs/destroying.md: a resource any of whose descendants has create_before_destroy gets it forced on.
  // For a docker_container with a fixed name and port that means a second container beside the first: 409.
  test.each(stacks)("%s", (_n, tf) => {
    const deps = dependencies(tf);
    for (const [type, byName] of Object.entries(tf.resource))
      for (const [name, body] of Object.entries(byName)) {
        const lifecycle = body.lifecycle as { create_before_destroy?: boolean } | undefined;
        if (!lifecycle?.create_before_destroy) continue;
        const forced = [...ancestors(deps, `${type}.${name}`)].filter((a) =>
          a.startsWith("docker_container."),
        );
        expect({ resource: `${type}.${name}`, forced }).toEqual({ resource: `${type}.${name}`, forced: [] });
      }
  });

  test("the graph walk finds a container behind a key (the defect this guards)", () => {
    const tf = synthStack();
    const deps = dependencies(tf);
    const key = [...deps.keys()].find((k) => k.includes("EventsWriter_ApiKey")) as string;
    expect([...ancestors(deps, key)].some((a) => a.startsWith("docker_container."))).toBe(true);
  });
});

describe("values the docker provider normalizes are written in its form", () => {
  // golang/go src/time/time.go, func (Duration) String: whole units from the largest, each lower unit
  // down to seconds always written ("1m0s", "1h0m0s"); below a minute just seconds; zero is "0s".
  test.each([
    [0, "0s"],
    [1, "1s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [600, "10m0s"],
    [3600, "1h0m0s"],
    [3661, "1h1m1s"],
    [86400, "24h0m0s"],
  ])("Go writes %i seconds as %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });

  /** Go's ParseDuration for the h/m/s units we use, so any spelling can be compared with Go's. */
  const parseSeconds = (text: string): number => {
    const parts = [...text.matchAll(/(\d+)([hms])/g)];
    expect(parts.map((p) => p[0]).join("")).toBe(text);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1 }[unit as "h"], 0);
  };

  // kreuzwerker/terraform-provider-docker v3.6.2 resource_docker_container_funcs.go reads healthcheck
  // durations back with Duration.String() and has no diff suppression for them.
  test.each(stacks)("%s: every healthcheck duration is canonical", (_n, tf) => {
    for (const c of containers(tf)) {
      expect(c.healthcheck).toBeDefined();
      const hc = c.healthcheck ?? {};
      for (const key of ["interval", "timeout", "start_period", "start_interval"]) {
        const value = hc[key] as string | undefined;
        if (value !== undefined)
          expect(`${c.name}.${key}=${value}`).toBe(`${c.name}.${key}=${goDuration(parseSeconds(value))}`);
      }
    }
  });

  // Same file: memory_swap is read back from HostConfig.MemorySwap, which Docker sets to twice the memory
  // when only memory is given; memory_swap == memory also turns swap off, as Elastic recommends.
  test.each(stacks)("%s: memory_swap equals memory wherever memory is set", (_n, tf) => {
    for (const c of containers(tf)) if (c.memory !== undefined) expect(c.memory_swap).toBe(c.memory);
  });
});

describe("the docker provider's host", () => {
  // kreuzwerker/terraform-provider-docker v3.6.2 internal/provider/provider.go: host's DefaultFunc reads
  // DOCKER_HOST; a host written in the JSON overrides it.
  test("is left to the provider's default unless configured", () => {
    expect(synthStack().provider.docker[0].host).toBeUndefined();
    expect(synthStack({ docker: { host: "ssh://ops@docker.example.com" } }).provider.docker[0].host).toBe(
      "ssh://ops@docker.example.com",
    );
  });

  test("a malformed host is a config error", () => {
    expect(() => parseConfig({ docker: { host: "/var/run/docker.sock" } })).toThrow(
      /docker\.host = "\/var\/run\/docker\.sock": must be a Docker host URL/,
    );
  });
});

describe("TLS names cover every URL the stack hands out", () => {
  test.each(dockerStacks)("%s: synthesizes (the check passes)", (_n, tf) => {
    expect(Object.keys(resourcesOf(tf, "docker_container")).length).toBeGreaterThan(0);
  });

  test("a bind address on a host IP is named by both server certificates", () => {
    const tf = synthStack({ docker: { bindAddress: "10.0.0.5" } });
    // Logstash's API certificate is left out: its port is on the stack network only.
    const requests = Object.values(resourcesOf(tf, "tls_cert_request")).filter(
      (r) => !(r.dns_names as string[]).includes("elk-logstash"),
    );
    expect(requests.length).toBe(2);
    for (const r of requests) expect(r.ip_addresses).toEqual(["127.0.0.1", "10.0.0.5"]);
    expect(tf.provider.grafana[0].url).toBe("https://10.0.0.5:3000");
  });

  test("names both the URL and the certificate when a host is missing", () => {
    const cert = {
      commonName: "elk-grafana",
      dnsNames: ["elk-grafana", "localhost"],
      ipAddresses: ["127.0.0.1"],
    };
    expect(certificateCovers(cert, "10.0.0.5")).toBe(false);
    expect(certificateCovers(cert, "LOCALHOST")).toBe(true);
    expect(
      tlsNameProblems([{ client: "the grafana provider", url: "https://10.0.0.5:3000", certificate: cert }]),
    ).toEqual([
      "the grafana provider is given https://10.0.0.5:3000, but the certificate of elk-grafana names only elk-grafana, localhost, 127.0.0.1: TLS verification would fail",
    ]);
    expect(
      tlsNameProblems([
        { client: "x", url: "https://[fd00::5]:3000", certificate: { ...cert, ipAddresses: ["fd00::5"] } },
      ]),
    ).toEqual([]);
  });

  test("is wired into the stack: a certificate without the bind address fails the synth", () => {
    const issue = CertificateAuthority.prototype.issue;
    const spy = jest.spyOn(CertificateAuthority.prototype, "issue").mockImplementation(function (
      this: CertificateAuthority,
      id,
      names,
    ) {
      return issue.call(this, id, { ...names, ipAddresses: ["127.0.0.1"] });
    });
    try {
      let error: unknown;
      try {
        synthStack({ docker: { bindAddress: "10.0.0.5" } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toContain(
        'docker.bindAddress = "10.0.0.5": the grafana provider is given https://10.0.0.5:3000, but the certificate of elk-grafana names only elk-grafana, localhost, 127.0.0.1: TLS verification would fail',
      );
      expect(
        problems.some((p) => p.includes("the elasticstack provider is given https://10.0.0.5:9200")),
      ).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("one name for the whole cluster", () => {
  test.each([
    ["one node", synthStack()],
    ["three nodes", synthStack({ elasticsearch: { nodes: 3 } })],
  ])("%s: every node answers elk-es, its certificate names it, and the datasources use it", (_n, tf) => {
    const nodes = esNodes(tf);
    for (const node of nodes)
      expect((node.networks_advanced as { aliases: string[] }[])[0].aliases).toContain("elk-es");
    const requests = Object.values(resourcesOf(tf, "tls_cert_request")).filter((r) =>
      (r.dns_names as string[]).some((n) => /-es-\d$/.test(n)),
    );
    expect(requests.length).toBe(nodes.length);
    for (const r of requests) expect(r.dns_names).toContain("elk-es");
    const elasticDatasources = Object.values(resourcesOf(tf, "grafana_data_source")).filter(
      (d) => d.type === "elasticsearch",
    );
    // Logs, events, dead letters.
    expect(elasticDatasources.length).toBe(3);
    for (const d of elasticDatasources) expect(d.url).toBe("https://elk-es:9200");
  });
});

describe("heap and memory limit", () => {
  test("a heap above half the container's memory is a config error", () => {
    expect(() => parseConfig({ elasticsearch: { heap: "2g", memoryLimitMb: 2048 } })).toThrow(
      'config: elasticsearch.heap = "2g": must be at most half of elasticsearch.memoryLimitMb (2048 MB), so the node is not killed for memory',
    );
    expect(() => parseConfig({ elasticsearch: { heap: "1025m" } })).toThrow(/elasticsearch\.heap/);
    expect(parseConfig({ elasticsearch: { heap: "1g" } }).elasticsearch.heap).toBe("1g");
    expect(parseConfig({ elasticsearch: { heap: "2g", memoryLimitMb: 4096 } }).elasticsearch.heap).toBe("2g");
  });
});

describe("the deploy workflow refuses the runner's own Docker daemon", () => {
  const workflow = parseYaml(readFileSync(join(__dirname, "../.github/workflows/deploy.yml"), "utf8")) as {
    jobs: { deploy: { steps: { name?: string; run?: string }[] } };
  };
  const guard = workflow.jobs.deploy.steps.find((s) => s.name === "Refuse the runner's Docker daemon");

  /** Runs the step's own script with bash and jq on a synthesized stack. */
  function runGuard(tf: TfJson): number {
    const dir = mkdtempSync(join(tmpdir(), "deploy-guard-"));
    const stackDir = join(dir, "cdktf.out/stacks/analytics");
    execFileSync("mkdir", ["-p", stackDir]);
    writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify(tf));
    try {
      execFileSync("bash", ["-e", "-c", guard?.run ?? "exit 99"], { cwd: dir, stdio: "pipe" });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  }

  test("runs before cdktf deploy", () => {
    const steps = workflow.jobs.deploy.steps;
    const at = steps.indexOf(guard as (typeof steps)[number]);
    expect(at).toBeGreaterThan(-1);
    expect(at).toBeLessThan(steps.findIndex((s) => /cdktf deploy/.test(s.run ?? "")));
  });

  test.each([
    ["unset", 1, {}],
    ["unix socket", 1, { docker: { host: "unix:///var/run/docker.sock" } }],
    ["remote over ssh", 0, { docker: { host: "ssh://ops@docker.example.com" } }],
    ["remote over tcp", 0, { docker: { host: "tcp://docker.example.com:2376" } }],
  ] as const)("%s host → exit %i", (_n, code, input) => {
    expect(runGuard(synthStack(input as StackConfigInput))).toBe(code);
  });
});

describe("variable validations", () => {
  // hashicorp/terraform v1.11.4 (JSON syntax): a bare string is a literal, and a condition that refers
  // to nothing fails validate with "Invalid validation expression"; it must be a ${...} template.
  test.each(stacks)("%s: every condition is a template", (_n, tf) => {
    const conditions = Object.values(tf.variable ?? {}).flatMap((v) =>
      ((v.validation ?? []) as { condition: string }[]).map((x) => x.condition),
    );
    for (const c of conditions) expect(c).toMatch(/^\$\{.+\}$/s);
  });
});
