/**
 * Terraform's values on the wire and what the schema-only provider does to them.
 *
 * Wire facts (hashicorp/terraform docs/plugin-protocol/object-wire-format.md at v1.11.4,
 * and zclconf/go-cty cty/msgpack): an object is a msgpack map of all its attributes
 * (null as nil); lists, sets and tuples are arrays; maps are maps; numbers are integers
 * or float64; an unknown value is any msgpack extension (Terraform writes type 0, and
 * 0x0c carries refinements), a new one is the bytes `d4 00 00`; a value whose schema type
 * is `dynamic` travels as `[type as JSON bytes, value]`. Integers decode as BigInt when
 * they need 64 bits, and untouched values are re-encoded as they came.
 */
import { createHash } from "node:crypto";
import { decode, encode, ExtData } from "@msgpack/msgpack";
import type {
  CtyType,
  NestedType,
  SchemaAttribute,
  SchemaBlock,
  SchemaBlockType,
} from "../../provider-schema";

/** A decoded value: JSON-like, with BigInt, bytes (dynamic type tags) and unknowns. */
export type Value =
  null | boolean | number | bigint | string | Uint8Array | ExtData | Value[] | { [key: string]: Value };

const OPTIONS = { useBigInt64: true } as const;

export function decodeValue(bytes: Uint8Array): Value {
  return decode(bytes, OPTIONS) as Value;
}

export function encodeValue(value: Value): Uint8Array {
  return encode(value, OPTIONS);
}

export const isUnknown = (v: Value): v is ExtData => v instanceof ExtData;

/** A fresh unknown: fixext 1 of type 0 with a zero byte, i.e. `d4 00 00`. */
export const unknown = (): ExtData => new ExtData(0, new Uint8Array([0]));

const isMap = (v: Value): v is { [key: string]: Value } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !isUnknown(v);

// --- the cty type a schema implies -----------------------------------------------------

function nestedTypeOf(nt: NestedType): CtyType {
  const obj: CtyType = ["object", attributeTypes(nt.attributes)];
  return nt.nesting_mode === "single" ? obj : [nt.nesting_mode, obj];
}

function attributeType(a: SchemaAttribute): CtyType {
  if (a.nested_type) return nestedTypeOf(a.nested_type);
  return a.type ?? "dynamic";
}

function attributeTypes(attrs: Readonly<Record<string, SchemaAttribute>>): Record<string, CtyType> {
  return Object.fromEntries(Object.entries(attrs).map(([k, a]) => [k, attributeType(a)]));
}

function blockTypeOf(bt: SchemaBlockType): CtyType {
  const obj = impliedType(bt.block);
  return bt.nesting_mode === "single" || bt.nesting_mode === "group" ? obj : [bt.nesting_mode, obj];
}

/** The object type of a block: its attributes and nested blocks. */
export function impliedType(block: SchemaBlock): CtyType {
  const types = attributeTypes(block.attributes ?? {});
  for (const [k, bt] of Object.entries(block.block_types ?? {})) types[k] = blockTypeOf(bt);
  return ["object", types];
}

// --- plausible values -----------------------------------------------------------------

/** Deterministic per seed and path, so that a data source read twice gives the same. */
function digest(seed: string, path: string): string {
  return createHash("sha256").update(seed).update("\0").update(path).digest("hex");
}

/** A known value of type `t`: a string, a small number, false, empty collections. */
export function plausible(t: CtyType, seed: string, path: string): Value {
  if (t === "string") return `offline-${digest(seed, path).slice(0, 16)}`;
  if (t === "number") return (parseInt(digest(seed, path).slice(0, 6), 16) % 1000) + 1;
  if (t === "bool") return false;
  if (t === "dynamic") return [new TextEncoder().encode('"string"'), plausible("string", seed, path)];
  switch (t[0]) {
    case "list":
    case "set":
      return [];
    case "map":
      return {};
    case "tuple":
      return t[1].map((e, i) => plausible(e, seed, `${path}[${i}]`));
    case "object":
      return Object.fromEntries(
        Object.entries(t[1]).map(([k, at]) => [k, plausible(at, seed, `${path}.${k}`)]),
      );
  }
}

/** Replaces every unknown inside `v` (of type `t`) with a plausible known value. */
export function fillUnknowns(v: Value, t: CtyType, seed: string, path = ""): Value {
  if (isUnknown(v)) return plausible(t, seed, path);
  if (v === null) return null;
  if (t === "dynamic") {
    // [type JSON, value]: the real type is in the tag.
    if (Array.isArray(v) && v.length === 2 && v[0] instanceof Uint8Array) {
      const inner = JSON.parse(new TextDecoder().decode(v[0])) as CtyType;
      return [v[0], fillUnknowns(v[1], inner, seed, path)];
    }
    return v;
  }
  if (typeof t === "string") return v;
  switch (t[0]) {
    case "list":
    case "set":
      return Array.isArray(v) ? v.map((e, i) => fillUnknowns(e, t[1], seed, `${path}[${i}]`)) : v;
    case "tuple":
      return Array.isArray(v) ? v.map((e, i) => fillUnknowns(e, t[1][i], seed, `${path}[${i}]`)) : v;
    case "map":
      return isMap(v)
        ? Object.fromEntries(
            Object.entries(v).map(([k, e]) => [k, fillUnknowns(e, t[1], seed, `${path}.${k}`)]),
          )
        : v;
    case "object":
      return isMap(v)
        ? Object.fromEntries(
            Object.entries(v).map(([k, e]) => [
              k,
              t[1][k] === undefined ? e : fillUnknowns(e, t[1][k], seed, `${path}.${k}`),
            ]),
          )
        : v;
  }
}

// --- the schema walk shared by plan and data source reads -------------------------------

/** What to put where the provider decides: a computed attribute the config left null. */
type Computed = (t: CtyType, path: string) => Value;

function walkAttributes(
  obj: { [key: string]: Value },
  attrs: Readonly<Record<string, SchemaAttribute>>,
  computed: Computed,
  path: string,
): void {
  for (const [name, a] of Object.entries(attrs)) {
    const p = `${path}.${name}`;
    const v = obj[name] ?? null;
    if (a.write_only) obj[name] = null;
    else if (v === null) {
      if (a.computed) obj[name] = computed(attributeType(a), p);
    } else if (a.nested_type) {
      const nt = a.nested_type;
      for (const [k, e] of elements(v, nt.nesting_mode)) walkAttributes(e, nt.attributes, computed, p + k);
    }
  }
}

function elements(v: Value, mode: string): [string, { [key: string]: Value }][] {
  if (mode === "single" || mode === "group") return isMap(v) ? [["", v]] : [];
  if (mode === "map")
    return isMap(v) ? Object.entries(v).flatMap(([k, e]) => (isMap(e) ? [[`.${k}`, e]] : [])) : [];
  return Array.isArray(v) ? v.flatMap((e, i) => (isMap(e) ? [[`[${i}]`, e] as [string, typeof e]] : [])) : [];
}

function walkBlock(
  obj: { [key: string]: Value },
  block: SchemaBlock,
  computed: Computed,
  path: string,
): void {
  walkAttributes(obj, block.attributes ?? {}, computed, path);
  for (const [name, bt] of Object.entries(block.block_types ?? {})) {
    for (const [k, e] of elements(obj[name] ?? null, bt.nesting_mode))
      walkBlock(e, bt.block, computed, `${path}.${name}${k}`);
  }
}

/**
 * PlanResourceChange: the proposed new state, with every computed attribute that is still
 * null set to unknown ("known after apply") and write-only attributes null. A destroy
 * (null proposal) stays null.
 */
export function planState(proposed: Value, block: SchemaBlock): Value {
  if (!isMap(proposed)) return proposed;
  walkBlock(proposed, block, () => unknown(), "");
  return proposed;
}

/** ApplyResourceChange: the planned state with every unknown made known. */
export function applyState(planned: Value, block: SchemaBlock, seed: string): Value {
  if (!isMap(planned)) return planned;
  return fillUnknowns(planned, impliedType(block), seed);
}

/** ReadDataSource: the config with computed attributes filled, seeded by the config itself. */
export function readDataSource(config: Value, block: SchemaBlock, seed: string): Value {
  if (!isMap(config)) return config;
  walkBlock(config, block, (t, p) => plausible(t, seed, p), "");
  return fillUnknowns(config, impliedType(block), seed);
}

/** A stable seed from raw msgpack bytes and the type name. */
export function seedOf(typeName: string, bytes: Uint8Array): string {
  return createHash("sha256").update(typeName).update("\0").update(bytes).digest("hex");
}
