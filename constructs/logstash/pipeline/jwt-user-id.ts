/**
 * Ruby for the `ruby` filter that sets `[user][id]` from the session token, a JWT whose
 * payload carries `user_id`. The signature is not verified: the gateway already did, and
 * the value only labels log lines.
 */

/** Added to `tags` when a token is present but no user id could be read from it. */
export const JWT_USER_ID_FAILURE_TAG = "_jwt_user_id_failure";

/** Where the gateway's GELF messages carry the request headers. */
export const REQUEST_HEADERS_FIELD = "[event][request][headers]";

/** The filter's `init`: loaded once at pipeline start instead of on every event. */
export const JWT_USER_ID_RUBY_INIT = "require 'base64'\nrequire 'json'";

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
  return `begin
  headers = event.get(${rubyStringLiteral(REQUEST_HEADERS_FIELD)})
  token = nil
  if headers.is_a?(::Hash)
    key = headers.keys.find { |k| k.is_a?(::String) && k.casecmp?(${header}) }
    token = headers[key] unless key.nil?
  elsif !headers.nil?
    raise ::TypeError, 'request headers are not a map'
  end
  token = token.first if token.is_a?(::Array) && token.length == 1
  token = token.strip if token.is_a?(::String)
  unless token.nil? || token == ''
    raise ::TypeError, 'session token is not a string' unless token.is_a?(::String)
    parts = token.split('.', -1)
    raise ::ArgumentError, 'session token is not header.payload.signature' unless parts.length == 3
    payload = parts[1]
    raise ::ArgumentError, 'payload is not base64url' unless payload.match?(/\\A[A-Za-z0-9_-]+\\z/)
    raise ::ArgumentError, 'impossible base64url length' if payload.length % 4 == 1
    # JWTs drop the base64 padding; strict decoding needs it back.
    json = ::Base64.urlsafe_decode64(payload + '=' * ((4 - payload.length % 4) % 4))
    json.force_encoding(::Encoding::UTF_8)
    raise ::ArgumentError, 'payload is not UTF-8' unless json.valid_encoding?
    claims = ::JSON.parse(json)
    raise ::TypeError, 'payload is not a JSON object' unless claims.is_a?(::Hash)
    user_id = claims['user_id']
    user_id = user_id.to_s if user_id.is_a?(::Integer)
    raise ::ArgumentError, 'no user_id claim' unless user_id.is_a?(::String) && !user_id.empty?
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
