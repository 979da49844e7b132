#!/usr/bin/env node
// Builds a provider schema in the `terraform providers schema -json` format from a
// provider's tfplugindocs markdown, offline (no terraform, no registry).
//
//   node scripts/providers/schema-from-docs.mjs DOCS_DIR OUT.json --source HOST/NS/NAME \
//     [--check-bindings PACKAGE_DIR]
//
//   DOCS_DIR   the provider's `docs/` folder (index.md, resources/*.md, data-sources/*.md)
//   OUT.json   written as <name>-<version>.schema.json; the version comes from the name
//   --source   provider source address, e.g. registry.terraform.io/hashicorp/tls
//   --provider-go DIR:FUNC  take the provider block from the Go files in DIR, for providers
//              whose index.md is hand-written (no `## Schema`): FUNC is the plugin-framework
//              provider's `Type.Schema` method
//   --sdkv2-id  every top-level read-only `id` becomes optional + computed, as SDKv2
//              declares it (the docs list it as read-only; see providers/README.md)
//   --check-bindings  generate cdktf bindings from the result and compare their
//              declarations with a prebuilt bindings package (e.g.
//              node_modules/@cdktf/provider-tls); exits 1 on any difference
//
// Kept: names, types, nesting, required/optional/computed, sensitive, deprecated,
// write_only. Docs do not tell optional+computed apart from optional, nor give
// descriptions, defaults or the schema version (written as 0).
import fs from "node:fs";
import path from "node:path";
import { writeSchema } from "./common.mjs";
import { frameworkSchema, parseGoFiles } from "./go-schema.mjs";

// The stored docs used for random 3.7.2 / tls 4.1.0 were not all at the release tag.
// These edits bring them to the tag; each one was found by --check-bindings against the
// prebuilt @cdktf bindings of that exact version (see providers/README.md).
// kubernetes 2.38.0: its tag's pages miss a few attributes the code has (found the same way,
// and read there: kubernetes/provider.go maps both secret names to resourceKubernetesSecretV1();
// end_port is in kubernetes/resource_kubernetes_network_policy_v1.go).
const endPort = (kind, dir) => ({
  add: `resource_schemas.${kind}.spec.${dir}.ports.end_port`,
  attribute: { optional: true, type: "number" },
  why: "documented in old-style prose only, so the converter does not see it",
});
const secretWo = (name, type) => ({
  add: `resource_schemas.kubernetes_secret.${name}`,
  attribute: name.endsWith("_revision")
    ? { optional: true, type }
    : { optional: true, type, write_only: true },
  why: "kubernetes_secret shares kubernetes_secret_v1's schema; only the _v1 page lists it",
});
const CORRECTIONS = {
  "registry.terraform.io/hashicorp/kubernetes@2.38.0": [
    endPort("kubernetes_network_policy", "ingress"),
    endPort("kubernetes_network_policy", "egress"),
    endPort("kubernetes_network_policy_v1", "ingress"),
    endPort("kubernetes_network_policy_v1", "egress"),
    secretWo("data_wo", ["map", "string"]),
    secretWo("binary_data_wo", ["map", "string"]),
    secretWo("data_wo_revision", "number"),
    secretWo("binary_data_wo_revision", "number"),
  ],
  "registry.terraform.io/hashicorp/tls@4.1.0": [
    { remove: "resource_schemas.tls_private_key.openssh_comment", why: "added after 4.1.0" },
    { remove: "resource_schemas.tls_self_signed_cert.max_path_length", why: "added after 4.1.0" },
    {
      remove: "resource_schemas.tls_self_signed_cert.name_constraint_excluded_dns_names",
      why: "added after 4.1.0",
    },
    {
      remove: "resource_schemas.tls_self_signed_cert.name_constraint_permitted_dns_names",
      why: "added after 4.1.0",
    },
    {
      remove: "resource_schemas.tls_self_signed_cert.name_constraint_permitted_dns_names_critical",
      why: "added after 4.1.0",
    },
    { remove: "resource_schemas.tls_locally_signed_cert.max_path_length", why: "added after 4.1.0" },
    { remove: "resource_schemas.tls_cert_request.allowed_uses", why: "not in 4.1.0" },
    {
      add: "resource_schemas.tls_cert_request.subject.email_address",
      attribute: { optional: true, type: "string" },
      why: "in 4.1.0, missing from the stored (older) page",
    },
    { remove: "data_source_schemas.tls_public_key.openssh_comment", why: "added after 4.1.0" },
    {
      remove: "data_source_schemas.tls_certificate.certificates.max_path_length",
      why: "added after 4.1.0",
    },
  ],
};

function fail(msg) {
  console.error(`error: ${msg}`);
  process.exit(2);
}

// --- markdown -> schema -----------------------------------------------------------

const ITEM = /^- `([^`]+)` \(([^)]*)\)(.*)$/;
const LINK = /\(see \[below for nested schema\]\(#([^)]+)\)\)/;
const GROUPS = { Required: "required", Optional: "optional", "Read-Only": "computed" };

/**
 * Splits the `## Schema` part of one page into groups of items, by section anchor.
 * tfplugindocs writes a nested schema shared by several attributes once, under all their
 * anchors, and links it from the first one only: an item without a link finds its
 * section by the anchor its link would have had.
 */
function readSections(markdown, file) {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === "## Schema");
  if (start < 0) return null;
  const sections = new Map([["", []]]);
  let current = sections.get("");
  let currentPath = "";
  let group = null;
  let anchors = [];
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line)) break;
    const a = line.match(/^<a id="([^"]+)"><\/a>/);
    if (a) {
      anchors.push(a[1]);
      continue;
    }
    if (/^### Nested Schema for /.test(line)) {
      if (anchors.length === 0) fail(`${file}: nested schema without an anchor: ${line}`);
      current = [];
      for (const id of anchors) sections.set(id, current);
      currentPath = anchors[0].replace(/^nested[a-z]*--/, "");
      anchors = [];
      group = null;
      continue;
    }
    const g = line.match(/^(?:### )?(Required|Optional|Read-Only):?\s*$/);
    if (g) {
      group = GROUPS[g[1]];
      continue;
    }
    const item = line.match(ITEM);
    if (item) {
      if (!group) fail(`${file}: item outside Required/Optional/Read-Only: ${line}`);
      const link = item[3].match(LINK);
      const prefix = currentPath ? `${currentPath}--` : "";
      current.push({
        name: item[1],
        phrase: item[2],
        group,
        link: link ? link[1] : null,
        candidates: ["nestedblock", "nestedatt", "nestedobjatt"].map((k) => `${k}--${prefix}${item[1]}`),
      });
      continue;
    }
    // A description that runs over several lines puts the nested-schema link on a later one.
    const late = line.match(LINK);
    const last = current[current.length - 1];
    if (late && last && !last.link && line.trim() !== "") last.link = late[1];
  }
  for (const items of new Set(sections.values())) {
    for (const item of items) {
      item.link ??= item.candidates.find((c) => sections.has(c)) ?? null;
      delete item.candidates;
    }
  }
  return sections;
}

const PRIMITIVES = {
  String: "string",
  Number: "number",
  Integer: "number",
  Boolean: "bool",
  Dynamic: "dynamic",
};

/** "List of Map of String" -> ["list", ["map", "string"]]; objects come from the link. */
function parseType(phrase, objectType, file) {
  if (PRIMITIVES[phrase]) return PRIMITIVES[phrase];
  if (phrase === "Object") {
    if (!objectType) fail(`${file}: object type without a nested schema`);
    return objectType();
  }
  const m = phrase.match(/^(List|Set|Map) of (.+)$/);
  if (!m) fail(`${file}: unknown type "${phrase}"`);
  return [m[1].toLowerCase(), parseType(m[2], objectType, file)];
}

/** An object type's attributes come from its nested section, objects inside it likewise. */
function objectType(item, sections, file) {
  if (!item.link || !sections.has(item.link)) fail(`${file}: ${item.name} has no nested schema`);
  const inner = sections.get(item.link);
  return [
    "object",
    Object.fromEntries(
      inner.map((i) => [i.name, parseType(i.phrase, () => objectType(i, sections, file), file)]),
    ),
  ];
}

function buildBlock(items, sections, file) {
  const block = {};
  for (const item of items) {
    const [kind, ...flags] = item.phrase.split(", ").map((s) => s.trim());
    const nested = () => {
      if (!item.link || !sections.has(item.link)) fail(`${file}: ${item.name} has no nested schema`);
      return sections.get(item.link);
    };
    const counts = {};
    for (const f of flags) {
      const c = f.match(/^(Min|Max): (\d+)$/);
      if (c) counts[c[1] === "Min" ? "min_items" : "max_items"] = Number(c[2]);
    }
    const blockKind = kind.match(/^Block(?: (List|Set|Map))?$/);
    if (blockKind) {
      const type = {
        nesting_mode: blockKind[1] ? blockKind[1].toLowerCase() : "single",
        block: buildBlock(nested(), sections, file),
        ...counts,
      };
      if (item.group === "required" && type.nesting_mode !== "single" && !type.min_items) type.min_items = 1;
      if (flags.includes("Deprecated")) type.block.deprecated = true;
      (block.block_types ??= {})[item.name] = type;
      continue;
    }
    const attr = { [item.group]: true };
    const nestedKind = kind.match(/^Attributes(?: (List|Set|Map))?$/);
    if (nestedKind) {
      const inner = buildBlock(nested(), sections, file);
      attr.nested_type = {
        attributes: inner.attributes ?? {},
        nesting_mode: nestedKind[1] ? nestedKind[1].toLowerCase() : "single",
        ...counts,
      };
    } else {
      attr.type = parseType(kind, () => objectType(item, sections, file), file);
    }
    if (flags.includes("Sensitive")) attr.sensitive = true;
    if (flags.includes("Deprecated")) attr.deprecated = true;
    if (flags.some((f) => /^write-only$/i.test(f))) attr.write_only = true;
    (block.attributes ??= {})[item.name] = attr;
  }
  return block;
}

function schemaOfPage(file) {
  const sections = readSections(fs.readFileSync(file, "utf8"), file);
  return { block: sections ? buildBlock(sections.get(""), sections, file) : {}, version: 0 };
}

function readDocs(docsDir, providerName) {
  const collect = (sub) => {
    const dir = path.join(docsDir, sub);
    if (!fs.existsSync(dir)) return {};
    const out = {};
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => n.endsWith(".md"))
      .sort()) {
      out[`${providerName}_${f.slice(0, -3)}`] = schemaOfPage(path.join(dir, f));
    }
    return out;
  };
  return {
    provider: schemaOfPage(path.join(docsDir, "index.md")),
    resource_schemas: collect("resources"),
    data_source_schemas: collect("data-sources"),
  };
}

// --- corrections ------------------------------------------------------------------

/** Walks "resource_schemas.TYPE.a.b" through blocks, nested attributes and object types. */
function locate(provider, dotted) {
  const [kind, type, ...names] = dotted.split(".");
  let node = provider[kind]?.[type]?.block;
  if (!node) fail(`correction ${dotted}: no ${kind}.${type}`);
  for (const name of names.slice(0, -1)) {
    const next =
      node.block_types?.[name]?.block ??
      node.attributes?.[name]?.nested_type ??
      objectOf(node.attributes?.[name]?.type ?? node.objectAttributes?.[name]);
    if (!next) fail(`correction ${dotted}: no ${name}`);
    node = next;
  }
  return { node, name: names[names.length - 1] };
}

/** The object type inside list(object)/set(object)/map(object), as an attributes holder. */
function objectOf(type) {
  let t = type;
  while (Array.isArray(t) && t[0] !== "object") t = t[1];
  return Array.isArray(t) ? { objectAttributes: t[1] } : undefined;
}

function applyCorrections(provider, key) {
  for (const c of CORRECTIONS[key] ?? []) {
    const { node, name } = locate(provider, c.remove ?? c.add);
    const holder = node.objectAttributes ?? (node.attributes ??= {});
    if (c.remove) {
      const present = holder[name] !== undefined || node.block_types?.[name] !== undefined;
      Reflect.deleteProperty(holder, name);
      if (node.block_types) Reflect.deleteProperty(node.block_types, name);
      if (present) console.log(`correction: removed ${c.remove} (${c.why})`);
    } else if (holder[name] === undefined) {
      holder[name] = node.objectAttributes ? c.attribute.type : c.attribute;
      console.log(`correction: added ${c.add} (${c.why})`);
    }
  }
}

// --- main -------------------------------------------------------------------------

const positional = [];
const opts = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (["--source", "--check-bindings", "--provider-go"].includes(argv[i])) opts[argv[i].slice(2)] = argv[++i];
  else if (argv[i] === "--sdkv2-id") opts["sdkv2-id"] = true;
  else positional.push(argv[i]);
}
if (positional.length !== 2 || !opts.source) {
  fail("usage: schema-from-docs.mjs DOCS_DIR OUT.json --source HOST/NS/NAME [--check-bindings PACKAGE_DIR]");
}
const [docsDir, outFile] = positional;
const version = path.basename(outFile).match(/^[^-]+-(\d[^/]*?)\.schema\.json$/)?.[1];
if (!version) fail(`${outFile}: name it <name>-<version>.schema.json`);
const providerName = opts.source.split("/")[2];

const provider = readDocs(docsDir, providerName);
if (opts["provider-go"]) {
  const [dir, fn] = opts["provider-go"].split(":");
  const sources = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const functions = parseGoFiles(sources);
  provider.provider = frameworkSchema(functions, fn);
}
if (opts["sdkv2-id"]) {
  for (const table of [provider.resource_schemas, provider.data_source_schemas]) {
    for (const s of Object.values(table)) {
      const id = s.block.attributes?.id;
      if (id?.computed && !id.optional) id.optional = true;
    }
  }
}
applyCorrections(provider, `${opts.source}@${version}`);
const ok = await writeSchema(outFile, opts.source, version, provider, opts["check-bindings"]);
if (!ok) process.exit(1);
