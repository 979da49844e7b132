/**
 * Ruby for the `ruby` filter that sets `[user][id]` from the session token, a JWT whose
 * payload carries `user_id`. The signature is not verified: the gateway already did, and
 * the value only labels log lines.
 */

/** Added to `tags` when a token is present but no user id could be read from it. */
export const JWT_USER_ID_FAILURE_TAG = "_jwt_user_id_failure";

/** Where the gateway's GELF messages carry the request headers. */
export const REQUEST_HEADERS_FIELD = "[event][request][headers]";

/**
 * The filter's `init`: loads the filter library (RUBY_LIBRARY_SOURCE, uploaded at
 * `libraryPath`) once at pipeline start; its compiled decoder does the per-event work.
 */
export function jwtUserIdRubyInit(libraryPath: string): string {
  if (!libraryPath.startsWith("/")) {
    throw new Error(`jwtUserIdRubyInit: libraryPath = ${JSON.stringify(libraryPath)} must be absolute`);
  }
  return `require ${rubyStringLiteral(libraryPath)}`;
}

// RFC 9110 token characters: what an HTTP header name may contain.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A Ruby single-quoted literal: only `\` and `'` are special there, so any text is exact. */
export function rubyStringLiteral(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * The `code` of the ruby filter (the body Logstash wraps in `lambda { |event| … }`).
 *
 * - The header is looked up case-insensitively; a one-element list is unwrapped because
 *   header bags (PHP, Symfony) keep every header as a list.
 * - No header, or a blank one, means an anonymous request: nothing is done and no tag is
 *   added, since tagging every anonymous call would bury the real failures.
 * - Anything else that does not yield a user id (headers not a map, a token that is not a
 *   string, not three dot-separated parts, bad base64url, not UTF-8, not JSON, not an
 *   object, no string or integer `user_id`, `[user]` not a map) adds
 *   JWT_USER_ID_FAILURE_TAG. Nothing raises.
 */
export function jwtUserIdRubyCode(sessionTokenHeader: string): string {
  if (!HEADER_NAME.test(sessionTokenHeader)) {
    throw new Error(
      `jwtUserIdRubyCode: ${JSON.stringify(sessionTokenHeader)} is not an HTTP header name (RFC 9110 token)`,
    );
  }
  const header = rubyStringLiteral(sessionTokenHeader);
  const exact = rubyStringLiteral(`${REQUEST_HEADERS_FIELD}[${sessionTokenHeader.toLowerCase()}]`);
  return `begin
  # The gateway's header bag is lower-case: one leaf get, and the whole map only if that misses.
  token = event.get(${exact})
  if token.nil?
    headers = event.get(${rubyStringLiteral(REQUEST_HEADERS_FIELD)})
    if headers.is_a?(::Hash)
      key = headers.keys.find { |k| k.is_a?(::String) && k.casecmp?(${header}) }
      token = headers[key] unless key.nil?
    elsif !headers.nil?
      raise ::TypeError, 'request headers are not a map'
    end
  end
  token = token.first if token.is_a?(::Array) && token.length == 1
  token = token.strip if token.is_a?(::String)
  unless token.nil? || token == ''
    raise ::TypeError, 'session token is not a string' unless token.is_a?(::String)
    user_id = ::ElkGrafanaCdktf.jwt_user_id(token)
    # Checked here, not left to Logstash's Java event code to reject.
    user = event.get('[user]')
    raise ::TypeError, '[user] is not a map' unless user.nil? || user.is_a?(::Hash)
    event.set('[user][id]', user_id)
  end
rescue ::StandardError
  event.tag(${rubyStringLiteral(JWT_USER_ID_FAILURE_TAG)})
end
`;
}
