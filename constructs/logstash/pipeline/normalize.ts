/**
 * Ruby for the `ruby` filters that turn what DreamFactory really sends into the document
 * the mappings and dashboards expect (DESIGN.md §1.3). Each function returns the filter's
 * `init` and/or `code`; logstash-filter-ruby 3.1.8 evaluates `init` once in the filter
 * instance and `code` as the body of a method taking `event`, so instance variables set in
 * `init` are what the code reads, and each filter instance has its own.
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
  event.remove('host')
  event.set('source_hostname', host)
  event.set('[host][name]', host)
end
`,
  };
}

/**
 * df-logger's raw-JSON senders (the http protocol) put GELF-style underscored names at the
 * top level (`_event`, `_platform`, `_message`, `_level`); the gelf input strips that
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
    code: `response = event.get('[event][response]')
if response.is_a?(::Hash) && (response.key?('status_code') || response.key?('status'))
  raw = response.key?('status_code') ? response['status_code'] : response['status']
  status = nil
  if raw.is_a?(::Integer)
    status = raw
  elsif raw.is_a?(::Float) && raw.finite? && raw == raw.floor
    status = raw.to_i
  elsif raw.is_a?(::String) && raw.strip.match?(/\\A[0-9]{3}\\z/)
    status = raw.strip.to_i
  end
  event.remove('[event][response][status_code]') if response.key?('status_code')
  if status && status >= 100 && status <= 599
    event.set('[event][response][status]', status)
  else
    event.remove('[event][response][status]') if response.key?('status')
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
export function redactRubyFilter(params: RedactionParams): RubyFilter {
  for (const name of [...params.names, ...params.prefixes, ...params.suffixes]) {
    if (name !== name.toLowerCase() || name.length === 0) {
      throw new Error(`redactRubyFilter: ${JSON.stringify(name)} must be non-empty and lower-case`);
    }
  }
  const hint = [...params.names, ...params.prefixes, ...params.suffixes];
  return {
    init: `require 'json'
require 'set'
require 'uri'
@secret_names = ${list(params.names)}.to_set.freeze
@secret_prefixes = ${list(params.prefixes)}.freeze
@secret_suffixes = ${list(params.suffixes)}.freeze
@secret_hint = ::Regexp.union(${list(hint)}.map { |s| ::Regexp.new(::Regexp.escape(s), ::Regexp::IGNORECASE) })
@redacted = ${rubyStringLiteral(params.marker)}.freeze
@redacted_subtrees = ${list(params.subtrees)}.freeze
define_singleton_method(:secret_key?) do |key|
  k = key.downcase
  @secret_names.include?(k) || k.start_with?(*@secret_prefixes) || k.end_with?(*@secret_suffixes)
end
define_singleton_method(:redact_string) do |text|
  return text unless text.match?(@secret_hint)
  out = text
  stripped = out.lstrip
  if stripped.start_with?('{', '[')
    begin
      tree = ::JSON.parse(stripped)
      return ::JSON.generate(tree) if redact_tree(tree)
    rescue ::JSON::ParserError
      nil
    end
  end
  if out.include?('=')
    replaced = out.gsub(/([^?&;=#\\s]+)=([^&;#\\s]*)/) do
      name, value = ::Regexp.last_match(1), ::Regexp.last_match(2)
      plain = name.include?('%') || name.include?('+') ? ::URI.decode_www_form_component(name) : name
      secret_key?(plain) && value != @redacted ? "#{name}=#{@redacted}" : "#{name}=#{value}"
    end
    out = replaced unless replaced == out
  end
  out
end
define_singleton_method(:redact_tree) do |node|
  changed = false
  if node.is_a?(::Hash)
    node.each do |k, v|
      if k.is_a?(::String) && secret_key?(k)
        unless v == @redacted
          node[k] = @redacted
          changed = true
        end
      elsif v.is_a?(::String)
        r = redact_string(v)
        unless r.equal?(v)
          node[k] = r
          changed = true
        end
      elsif v.is_a?(::Hash) || v.is_a?(::Array)
        changed = true if redact_tree(v)
      end
    end
  elsif node.is_a?(::Array)
    node.each_with_index do |v, i|
      if v.is_a?(::String)
        r = redact_string(v)
        unless r.equal?(v)
          node[i] = r
          changed = true
        end
      elsif v.is_a?(::Hash) || v.is_a?(::Array)
        changed = true if redact_tree(v)
      end
    end
  end
  changed
end`,
    code: `begin
  @redacted_subtrees.each do |ref|
    tree = event.get(ref)
    if tree.is_a?(::Hash) || tree.is_a?(::Array)
      event.set(ref, tree) if redact_tree(tree)
    elsif tree.is_a?(::String)
      redacted = redact_string(tree)
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
