/**
 * Ruby for the `ruby` filters that turn what DreamFactory really sends into the document
 * the mappings and dashboards expect (DESIGN.md §1.3). Each function returns the filter's
 * `init` and/or `code`; logstash-filter-ruby 3.1.8 evaluates `init` once in the filter
 * instance and `code` as the body of a method taking `event`, so instance variables set in
 * `init` are what the code reads, and each filter instance has its own. In the pipeline,
 * several of them are steps of one compiled filter whose `event` is an EventView
 * (RUBY_LIBRARY_SOURCE): the same code, one read of `[event]`.
 */
import { rubyStringLiteral } from "./jwt-user-id";

export interface RubyFilter {
  readonly init?: string;
  readonly code: string;
}

/** `@metadata` field the inputs set to say which framing an event came in. */
export const TRANSPORT_FIELD = "[@metadata][transport]";
export const TRANSPORT_HTTP = "http";

const list = (values: readonly string[]) => `[${values.map(rubyStringLiteral).join(", ")}]`;

/**
 * ECS host for every event, whatever its type: a string `host` (GELF's, or any sender's)
 * moves to `source_hostname` and becomes `[host][name]`; a map (the http input's
 * `[host][ip]`) is left alone. Without it the template's `host` object refuses the
 * document (a 400 into the dead letter queue).
 */
export function ecsHostRubyCode(): RubyFilter {
  return {
    code: `host = event.get('host')
unless host.nil? || host.is_a?(::Hash)
  host = host.to_s
  event.set('source_hostname', host)
  # One set replaces the string with the map (a set of [host][name] would first need a remove).
  event.set('host', { 'name' => host })
end
`,
  };
}

/**
 * df-logger's raw-JSON senders (the http protocol) put GELF-style underscored names at the
 * top level (`_event`, `_platform`, `_message`, `_level`); the GELF decoder strips that
 * underscore itself, so http events get the same treatment and one filter chain serves both.
 */
export function stripUnderscoreRubyCode(): RubyFilter {
  return {
    code: `event.to_hash.keys.each do |key|
  next unless key.is_a?(::String) && key.start_with?('_') && key.length > 1
  value = event.get(key)
  event.remove(key)
  event.set(key[1..-1], value)
end
`,
  };
}

/** Added to `tags` when `level` is present but not a known level (the value is kept, as a string). */
export const LEVEL_UNKNOWN_TAG = "_level_unknown";

/**
 * `level` as a name: GELF's syslog integers 0..7 (or, for http events, Monolog's 100..600)
 * become EMERGENCY … DEBUG; a known name in any case is upper-cased; anything else is kept
 * as a string and tagged, so it stays visible instead of turning into a wrong name.
 */
export function levelRubyCode(
  syslogNames: readonly string[],
  monolog: Readonly<Record<number, string>>,
): RubyFilter {
  const monologEntries = Object.entries(monolog)
    .map(([n, name]) => `${Number(n)} => ${rubyStringLiteral(name)}`)
    .join(", ");
  const names = [...new Set([...syslogNames, ...Object.values(monolog)])];
  return {
    init: `@syslog_levels = ${list(syslogNames)}.each_with_index.map { |name, i| [i, name] }.to_h.freeze
@monolog_levels = { ${monologEntries} }.freeze
@level_names = ${list(names)}.freeze`,
    code: `level = event.get('level')
unless level.nil?
  table = event.get(${rubyStringLiteral(TRANSPORT_FIELD)}) == ${rubyStringLiteral(TRANSPORT_HTTP)} ? @monolog_levels : @syslog_levels
  name = nil
  if level.is_a?(::Integer)
    name = table[level]
  elsif level.is_a?(::Float) && level.finite? && level == level.floor
    name = table[level.to_i]
  elsif level.is_a?(::String)
    text = level.strip
    if text.match?(/\\A[0-9]+\\z/)
      name = table[text.to_i]
    else
      upper = text.upcase
      name = upper if @level_names.include?(upper)
    end
  end
  if name.nil?
    event.set('level', level.to_s)
    event.tag(${rubyStringLiteral(LEVEL_UNKNOWN_TAG)})
  else
    event.set('level', name)
  end
end
`,
  };
}

/** Added to `tags` when the gateway sent a response status that is not an HTTP status code. */
export const STATUS_FAILURE_TAG = "_response_status_failure";

/**
 * `[event][response][status]` as an integer: df-core's ServiceResponse::toArray() sends
 * `status_code` (the guide says `status`); either is accepted, `status_code` wins, and only
 * `status` is kept, the one field the mapping, dashboards and alert use. A value that is
 * not 100..599 is removed (the integer mapping would refuse the whole document) and tagged.
 */
export function responseStatusRubyCode(): RubyFilter {
  return {
    code: `code = event.get('[event][response][status_code]')
status_field = event.get('[event][response][status]')
unless code.nil? && status_field.nil?
  raw = code.nil? ? status_field : code
  status = nil
  if raw.is_a?(::Integer)
    status = raw
  elsif raw.is_a?(::Float) && raw.finite? && raw == raw.floor
    status = raw.to_i
  elsif raw.is_a?(::String) && raw.strip.match?(/\\A[0-9]{3}\\z/)
    status = raw.strip.to_i
  end
  event.remove('[event][response][status_code]') unless code.nil?
  if status && status >= 100 && status <= 599
    event.set('[event][response][status]', status)
  else
    event.remove('[event][response][status]') unless status_field.nil?
    event.tag(${rubyStringLiteral(STATUS_FAILURE_TAG)})
  end
end
`,
  };
}

/** Added to `tags` when redaction itself failed; the redacted subtrees are then dropped. */
export const REDACTION_FAILURE_TAG = "_redaction_failure";

export interface RedactionParams {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
  readonly suffixes: readonly string[];
  /** Field references (`[event][request]`) redacted recursively. */
  readonly subtrees: readonly string[];
  readonly marker: string;
}

/**
 * Replaces every credential under the subtrees with the marker, recursively:
 *
 * - a map entry whose key is secret (header, parameter, body or response field);
 * - in any string holding `name=value` pairs (a URI's query string, a form body), the
 *   value of a secret name, URL-decoded before it is compared;
 * - in any string holding JSON (a raw request body), the same rules, and the string is
 *   written back as JSON.
 *
 * Strings are only examined when they mention a secret name at all (one regular
 * expression), which keeps the per-event cost low. If anything raises, the subtrees are
 * removed and the event tagged: a document without its request is better than one with a
 * password.
 */
/** `libraryPath`: absolute path of RUBY_LIBRARY_SOURCE where Logstash runs. */
export function redactRubyFilter(params: RedactionParams, libraryPath: string): RubyFilter {
  for (const name of [...params.names, ...params.prefixes, ...params.suffixes]) {
    if (name !== name.toLowerCase() || name.length === 0) {
      throw new Error(`redactRubyFilter: ${JSON.stringify(name)} must be non-empty and lower-case`);
    }
  }
  if (!libraryPath.startsWith("/")) {
    throw new Error(`redactRubyFilter: libraryPath = ${JSON.stringify(libraryPath)} must be absolute`);
  }
  return {
    init: `require ${rubyStringLiteral(libraryPath)}
@redactor = ::ElkGrafanaCdktf::Redactor.new(
  names: ${list(params.names)},
  prefixes: ${list(params.prefixes)},
  suffixes: ${list(params.suffixes)},
  marker: ${rubyStringLiteral(params.marker)}
)
@redacted_subtrees = ${list(params.subtrees)}.freeze`,
    code: `begin
  @redacted_subtrees.each do |ref|
    tree = event.get(ref)
    if tree.is_a?(::Hash)
      # Only the entries that changed are written back (a set converts its whole value).
      @redactor.redact_entries(tree)&.each do |key|
        child = @redactor.child_reference(ref, key)
        if child.nil?
          event.set(ref, tree)
          break
        end
        event.set(child, tree[key])
      end
    elsif tree.is_a?(::Array)
      event.set(ref, tree) if @redactor.redact_tree(tree)
    elsif tree.is_a?(::String)
      redacted = @redactor.redact_string(tree)
      event.set(ref, redacted) unless redacted.equal?(tree)
    end
  end
rescue ::StandardError
  @redacted_subtrees.each { |ref| event.remove(ref) }
  event.tag(${rubyStringLiteral(REDACTION_FAILURE_TAG)})
end
`,
  };
}
