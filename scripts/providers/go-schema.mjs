// Reads Terraform provider schemas from a provider's Go source, offline: the composite
// literals that terraform-plugin-framework providers declare (`schema.Schema{Attributes:
// ...}`). It models only what those literals say (names, types, nesting,
// required/optional/computed, sensitive, write-only, deprecated); values built at run time
// are not seen. Helper functions that return an attribute map (`func f()
// map[string]schema.Attribute { return map[...]{...} }`) are followed by name.
// Nested attributes keep `nested_type` (the framework sends them so in the protocol), and
// framework blocks carry no min/max items.

// --- tokens ---------------------------------------------------------------------------

function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith("//", i)) {
      i = src.indexOf("\n", i);
      if (i < 0) i = src.length;
    } else if (src.startsWith("/*", i)) {
      i = src.indexOf("*/", i + 2) + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      tokens.push({ kind: "string", value: JSON.parse(c === '"' ? src.slice(i, j + 1) : '"x"') });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      tokens.push({ kind: "string", value: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
      tokens.push({ kind: "ident", value: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9A-Za-z_.]*/.exec(src.slice(i, i + 100));
      tokens.push({ kind: "number", value: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      const op = [":=", "&&", "||", "==", "!=", "<=", ">=", "<-", "..."].find((o) => src.startsWith(o, i));
      const text = op ?? (two === "&&" ? two : c);
      tokens.push({ kind: "punct", value: text });
      i += text.length;
    }
  }
  return tokens;
}

// --- expressions (only as far as schema literals need) ---------------------------------

class Parser {
  constructor(tokens) {
    this.t = tokens;
    this.i = 0;
  }
  peek(o = 0) {
    return this.t[this.i + o];
  }
  is(value, o = 0) {
    const tok = this.peek(o);
    return tok !== undefined && tok.kind !== "string" && tok.value === value;
  }
  next() {
    return this.t[this.i++];
  }
  expect(value) {
    const tok = this.next();
    if (!tok || tok.value !== value) throw new Error(`expected ${value}, got ${tok?.value}`);
  }
  /** Skips a balanced (...) / [...] / {...} group starting at the current token. */
  skipGroup() {
    const open = this.next().value;
    const close = { "(": ")", "[": "]", "{": "}" }[open];
    let depth = 1;
    while (depth > 0) {
      const tok = this.next();
      if (tok.kind !== "punct") continue;
      if (tok.value === open) depth++;
      else if (tok.value === close) depth--;
    }
  }
  /** A type name: `schema.StringAttribute`, `[]validator.String`, `map[string]schema.Attribute`. */
  typeName() {
    let name = "";
    for (;;) {
      if (this.is("*") || this.is("&")) name += this.next().value;
      else if (this.is("[")) {
        const start = this.i;
        this.skipGroup();
        name += this.t
          .slice(start, this.i)
          .map((x) => x.value)
          .join("");
      } else break;
    }
    if (this.is("map")) {
      this.next();
      const start = this.i;
      this.skipGroup();
      name += `map${this.t
        .slice(start, this.i)
        .map((x) => x.value)
        .join("")}`;
      return name + this.typeName();
    }
    if (this.is("func") || this.is("interface") || this.is("struct")) return name;
    if (this.peek()?.kind === "ident") {
      name += this.next().value;
      while (this.is(".") && this.peek(1)?.kind === "ident") {
        this.next();
        name += `.${this.next().value}`;
      }
    }
    return name;
  }
  expr() {
    const first = this.unary();
    while (
      this.peek()?.kind === "punct" &&
      ["+", "-", "*", "/", "|", "&&", "||", "==", "!=", "<", ">", "<=", ">="].includes(this.peek().value)
    ) {
      this.next();
      this.unary();
    }
    return first;
  }
  unary() {
    if (this.is("&") || this.is("!") || this.is("-")) {
      this.next();
      return this.unary();
    }
    return this.primary();
  }
  primary() {
    const tok = this.peek();
    if (tok.kind === "string") return { kind: "string", value: this.next().value };
    if (tok.kind === "number") return { kind: "number", value: this.next().value };
    if (this.is("(")) {
      this.next();
      const inner = this.expr();
      this.expect(")");
      return inner;
    }
    if (this.is("{")) return this.composite(null);
    if (this.is("func")) {
      // A function literal: signature, then its body.
      this.next();
      while (!this.is("{")) {
        if (this.is("(") || this.is("[")) this.skipGroup();
        else this.next();
      }
      this.skipGroup();
      return { kind: "func" };
    }
    let node;
    const type = this.typeName();
    if (type === "")
      throw new Error(
        `unexpected ${tok.value} after: ${this.t
          .slice(Math.max(0, this.i - 12), this.i + 1)
          .map((x) => x.value)
          .join(" ")}`,
      );
    if (this.is("{")) node = this.composite(type);
    else if (this.is("(")) node = this.call(type);
    else node = { kind: "ident", value: type };
    // Method chains and indexing: `x.Y(...)`, `a[0]`.
    for (;;) {
      if (this.is(".") && this.peek(1)?.kind === "ident") {
        this.next();
        const name = this.next().value;
        node = this.is("(") ? { ...this.call(name), on: node } : { kind: "ident", value: name, on: node };
      } else if (this.is(".") && this.is("(", 1)) {
        // A type assertion, `x.(bool)`.
        this.next();
        this.skipGroup();
      } else if (this.is("[")) this.skipGroup();
      else break;
    }
    return node;
  }
  call(name) {
    this.expect("(");
    const args = [];
    while (!this.is(")")) {
      args.push(this.expr());
      if (this.is(",") || this.is("...")) this.next();
      if (this.is(",")) this.next();
    }
    this.expect(")");
    return { kind: "call", name, args };
  }
  composite(type) {
    this.expect("{");
    const fields = new Map();
    const items = [];
    while (!this.is("}")) {
      const value = this.expr();
      if (this.is(":")) {
        this.next();
        const v = this.expr();
        const key = value.kind === "string" ? value.value : value.value;
        fields.set(key, v);
        items.push({ key, value: v });
      } else items.push({ value });
      if (this.is(",")) this.next();
    }
    this.expect("}");
    return { kind: "composite", type, fields, items };
  }
}

// --- finding the schema literals ---------------------------------------------------------

/** Parsed Go files: top-level functions by name (and by receiver method) with their tokens. */
export function parseGoFiles(sources) {
  const functions = new Map();
  for (const src of sources) {
    const tokens = tokenize(src);
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].value !== "func" || tokens[i].kind !== "ident") continue;
      let j = i + 1;
      let receiver = null;
      if (tokens[j].value === "(") {
        // (r *Type)
        let k = j + 1;
        while (tokens[k].value !== ")") k++;
        receiver = tokens[k - 1].value;
        j = k + 1;
      }
      if (tokens[j]?.kind !== "ident") continue;
      const name = receiver ? `${receiver}.${tokens[j].value}` : tokens[j].value;
      // The body starts at the first `{` at depth 0 after the signature.
      let k = j + 1;
      let depth = 0;
      while (k < tokens.length) {
        const v = tokens[k].kind === "punct" ? tokens[k].value : null;
        if (v === "(" || v === "[") depth++;
        else if (v === ")" || v === "]") depth--;
        else if (v === "{" && depth === 0) {
          // `map[string]schema.Attribute {` is a result type only if followed by the body.
          break;
        }
        k++;
      }
      functions.set(name, { tokens, body: k });
    }
  }
  return functions;
}

/** The first composite literal of type `typeName` inside a function's body. */
function literalIn(functions, fn, typeName) {
  const f = functions.get(fn);
  if (!f) throw new Error(`no function ${fn}`);
  const p = new Parser(f.tokens);
  p.i = f.body;
  const parts = typeName.split(".");
  for (; p.i < f.tokens.length; p.i++) {
    const ok = parts.every(
      (part, k) =>
        f.tokens[p.i + 2 * k]?.value === part && (k === 0 || f.tokens[p.i + 2 * k - 1]?.value === "."),
    );
    const prev = f.tokens[p.i - 1];
    if (ok && f.tokens[p.i + 2 * parts.length - 1]?.value === "{" && prev?.value !== ".") {
      return p.expr();
    }
  }
  throw new Error(`no ${typeName}{...} in ${fn}`);
}

/** The expression a helper function returns (`return <expr>` at its top). */
function returned(functions, name) {
  const f = functions.get(name);
  if (!f) throw new Error(`no function ${name}`);
  const p = new Parser(f.tokens);
  p.i = f.body;
  while (!(p.peek().kind === "ident" && p.peek().value === "return")) p.i++;
  p.next();
  return p.expr();
}

// --- plugin framework ---------------------------------------------------------------

const isTrue = (node) => node?.kind === "ident" && node.value === "true";
const FRAMEWORK_PRIMITIVES = {
  String: "string",
  Bool: "bool",
  Int64: "number",
  Int32: "number",
  Float64: "number",
  Float32: "number",
  Number: "number",
  Dynamic: "dynamic",
};

function frameworkType(functions, node) {
  if (node.kind === "call" && !node.on) return frameworkType(functions, returned(functions, node.name));
  const name = (node.kind === "composite" ? node.type : node.value).replace(/^.*\./, "");
  const prim = /^(\w+?)Type$/.exec(name);
  if (prim && FRAMEWORK_PRIMITIVES[prim[1]]) return FRAMEWORK_PRIMITIVES[prim[1]];
  const coll = { ListType: "list", SetType: "set", MapType: "map" }[name];
  if (coll) return [coll, frameworkType(functions, node.fields.get("ElemType"))];
  if (name === "ObjectType") return ["object", frameworkAttrTypes(functions, node.fields.get("AttrTypes"))];
  throw new Error(`unknown attr.Type ${name}`);
}

function frameworkAttrTypes(functions, node) {
  if (node.kind === "call") return frameworkAttrTypes(functions, returned(functions, node.name));
  return Object.fromEntries(node.items.map((it) => [it.key, frameworkType(functions, it.value)]));
}

function frameworkAttributes(functions, node) {
  if (node.kind === "call") return frameworkAttributes(functions, returned(functions, node.name));
  return Object.fromEntries(
    node.items.map((it) => {
      if (it.value.kind === "call" && it.value.name === "timeouts.Attributes") {
        return [it.key, timeoutsAttribute(it.value)];
      }
      if (it.value.kind !== "composite")
        throw new Error(`attribute ${it.key}: not a literal (${it.value.kind})`);
      return [it.key, frameworkAttribute(functions, it.value)];
    }),
  );
}

/**
 * hashicorp/terraform-plugin-framework-timeouts: `timeouts.Attributes(ctx, timeouts.Opts{
 * Create: true, ...})` is an optional single nested attribute with one optional string per
 * operation chosen; the datasource package's `timeouts.Attributes(ctx)` has `read` only.
 */
function timeoutsAttribute(call) {
  const opts = call.args[1];
  const ops = opts
    ? ["Create", "Read", "Update", "Delete"].filter((op) => isTrue(opts.fields.get(op)))
    : ["Read"];
  return {
    optional: true,
    nested_type: {
      attributes: Object.fromEntries(ops.map((op) => [op.toLowerCase(), { optional: true, type: "string" }])),
      nesting_mode: "single",
    },
  };
}

function flags(fields) {
  const out = {};
  for (const [key, flag] of [
    ["Required", "required"],
    ["Optional", "optional"],
    ["Computed", "computed"],
    ["Sensitive", "sensitive"],
    ["WriteOnly", "write_only"],
  ]) {
    if (isTrue(fields.get(key))) out[flag] = true;
  }
  const dep = fields.get("DeprecationMessage") ?? fields.get("Deprecated");
  if (dep && !(dep.kind === "string" && dep.value === "")) out.deprecated = true;
  return out;
}

function frameworkAttribute(functions, node) {
  const kind = node.type.replace(/^.*\./, "");
  const attr = flags(node.fields);
  const prim = /^(\w+)Attribute$/.exec(kind)?.[1];
  if (FRAMEWORK_PRIMITIVES[prim]) return { ...attr, type: FRAMEWORK_PRIMITIVES[prim] };
  const coll = { ListAttribute: "list", SetAttribute: "set", MapAttribute: "map" }[kind];
  if (coll) return { ...attr, type: [coll, frameworkType(functions, node.fields.get("ElementType"))] };
  if (kind === "ObjectAttribute")
    return { ...attr, type: ["object", frameworkAttrTypes(functions, node.fields.get("AttributeTypes"))] };
  if (kind === "SingleNestedAttribute")
    return {
      ...attr,
      nested_type: {
        attributes: frameworkAttributes(functions, node.fields.get("Attributes")),
        nesting_mode: "single",
      },
    };
  const nested = { ListNestedAttribute: "list", SetNestedAttribute: "set", MapNestedAttribute: "map" }[kind];
  if (nested) {
    const obj = node.fields.get("NestedObject");
    return {
      ...attr,
      nested_type: {
        attributes: frameworkAttributes(functions, obj.fields.get("Attributes")),
        nesting_mode: nested,
      },
    };
  }
  throw new Error(`unknown framework attribute kind ${kind}`);
}

function frameworkBlock(functions, node) {
  const block = {};
  const attrs = node.fields.get("Attributes");
  if (attrs) block.attributes = frameworkAttributes(functions, attrs);
  const blocks = node.fields.get("Blocks");
  if (blocks) {
    const items = blocks.kind === "call" ? returned(functions, blocks.name).items : blocks.items;
    block.block_types = Object.fromEntries(
      items.map((it) => {
        const kind = it.value.type.replace(/^.*\./, "");
        const mode = { SingleNestedBlock: "single", ListNestedBlock: "list", SetNestedBlock: "set" }[kind];
        if (!mode) throw new Error(`unknown framework block kind ${kind}`);
        const inner = mode === "single" ? it.value : it.value.fields.get("NestedObject");
        return [it.key, { block: frameworkBlock(functions, inner), nesting_mode: mode }];
      }),
    );
  }
  const dep = node.fields.get("DeprecationMessage");
  if (dep && !(dep.kind === "string" && dep.value === "")) block.deprecated = true;
  return block;
}

/** A plugin-framework `resp.Schema = schema.Schema{...}` inside function `fn` (`Type.Schema`). */
export function frameworkSchema(functions, fn) {
  const node = literalIn(functions, fn, "schema.Schema");
  const version = node.fields.get("Version");
  return { block: frameworkBlock(functions, node), version: version ? Number(version.value) : 0 };
}
