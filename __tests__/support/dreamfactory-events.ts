import type { EventData, Json } from "./ruby-harness";

/**
 * DreamFactory log events as they reach the filters, built from the gateway's source:
 *
 * - df-core 1.0.15 src/Components/InternalServiceRequest.php toArray(): api_version,
 *   method, parameters, headers, payload, content, content_type, uri (with its query
 *   string, Request::getRequestUri()), service, resource;
 * - df-core 1.0.15 src/Utility/ServiceResponse.php toArray(): status_code, content_type,
 *   content, format, headers;
 * - df-core 1.0.15 src/Utility/ServiceRequest.php getHeaders(): each header's values
 *   joined with "," (strings), lower-case names as Symfony's header bag keeps them;
 * - df-core 1.0.15 src/Http/Middleware/AuthCheck.php: api_key and session_token are read
 *   from the query string (and the body) as well as from the headers;
 * - df-core 1.0.15 src/Utility/Session.php: a login answer carries session_token and
 *   session_id (the same JWT);
 * - df-logger 0.15.2 src/Handlers/Events/LoggingEventHandler.php: the context is
 *   `_event` (request, resource, response) and `_platform` (config, session), sent
 *   through GelfMessage as additional fields with a leading underscore, level an integer
 *   (src/Components/GelfLevels.php), `host` = gethostname();
 * - logstash-input-gelf v3.3.2 lib/logstash/inputs/gelf.rb: leading underscores are
 *   stripped, full_message becomes `message`, the numeric timestamp becomes @timestamp,
 *   `source_host` is the sender's address, `type` is the input's.
 */

const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** A session JWT as DreamFactory issues it (HS256; the signature is not checked). */
export function sessionJwt(userId: number): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "HS256" }));
  const claims = b64url(
    JSON.stringify({
      iss: "https://api.example.com/api/v2/user/session",
      iat: 1764547200,
      exp: 1764633600,
      nbf: 1764547200,
      jti: "n0tAR3alJt1V4lu3",
      sub: userId,
      user_id: userId,
      forever: false,
    }),
  );
  return `${header}.${claims}.c2lnbmF0dXJlLW9mLXRoZS1nYXRld2F5LWtleQ`;
}

/** Credentials planted in the events; none of them may survive the pipeline. */
export const PLANTED = {
  apiKey: "36fda24fe5588fa4285ac6c6c2fdfbdb6b6bc9834699774c9bf777f706d05a88",
  jwt: sessionJwt(7),
  password: "S3cret-Passw0rd!",
  cookie: "dreamfactory_session=eyJpdiI6IkNvb2tpZVZhbHVlIn0",
  refreshToken: "rt-4c1f1d2a9b8e4f7d",
} as const;

const platform = (userId: number): Json => ({
  config: { version: "7.1.1", api_version: "2.0", license: "GOLD", is_managed: false },
  session: {
    user: { id: userId, name: "Ada Lovelace", email: "ada@example.com", is_sys_admin: false },
    role: { id: 3, name: "api-consumer" },
    app: { id: 5, name: "web-portal" },
  },
});

/** A GET on a database table, authenticated by query parameters and headers. */
export function apiCallEvent(): EventData {
  const query = `api_key=${PLANTED.apiKey}&session_token=${PLANTED.jwt}&limit=10&fields=id,name`;
  return {
    version: "1.1",
    host: "df-web-1",
    level: 6,
    message: "db._table.contacts.get.post_process",
    type: "dreamfactory",
    source_host: "172.18.0.5",
    php_sapi: "fpm-fcgi",
    file: "/opt/dreamfactory/public/index.php",
    event: {
      request: {
        api_version: "2.0",
        method: "GET",
        parameters: { api_key: PLANTED.apiKey, session_token: PLANTED.jwt, limit: "10", fields: "id,name" },
        headers: {
          host: "api.example.com",
          accept: "application/json",
          "user-agent": "curl/8.5.0",
          cookie: `${PLANTED.cookie}; XSRF-TOKEN=eyJ4c3JmIjoiMSJ9`,
          "x-dreamfactory-api-key": PLANTED.apiKey,
          "x-dreamfactory-session-token": PLANTED.jwt,
          "x-forwarded-for": "203.0.113.9",
        },
        payload: [],
        content: "",
        content_type: null,
        uri: `/api/v2/db/_table/contacts?${query}`,
        service: "db",
        resource: "_table/contacts",
      },
      resource: "_table/contacts",
      response: {
        status_code: 200,
        content_type: "application/json",
        content: {
          resource: [
            { id: 1, name: "Grace Hopper", email: "grace@example.com" },
            { id: 2, name: "Edsger Dijkstra", email: "edsger@example.com" },
          ],
        },
        format: 201,
        headers: { "cache-control": "no-cache, private" },
      },
    },
    platform: platform(7),
  };
}

/** A login: the password in the payload and the raw body, the new token in the answer. */
export function loginEvent(): EventData {
  const body = { email: "ada@example.com", password: PLANTED.password, remember_me: true };
  return {
    version: "1.1",
    host: "df-web-1",
    level: 6,
    message: "user.session.post.post_process",
    type: "dreamfactory",
    source_host: "172.18.0.5",
    event: {
      request: {
        api_version: "2.0",
        method: "POST",
        parameters: {},
        headers: {
          host: "api.example.com",
          "content-type": "application/json",
          "x-dreamfactory-api-key": PLANTED.apiKey,
          // Symfony's raw header bag keeps lists; one-element lists are the common case.
          "x-dreamfactory-session-token": [PLANTED.jwt],
        },
        payload: body,
        content: JSON.stringify(body),
        content_type: "application/json",
        uri: "/api/v2/user/session",
        service: "user",
        resource: "session",
      },
      resource: "session",
      response: {
        status_code: "200",
        content_type: "application/json",
        content: {
          session_token: PLANTED.jwt,
          session_id: PLANTED.jwt,
          refresh_token: PLANTED.refreshToken,
          id: 7,
          name: "Ada Lovelace",
          email: "ada@example.com",
          is_sys_admin: false,
          last_login_date: "2026-12-01 08:00:00",
          host: "df-web-1",
        },
        format: 201,
        headers: { "set-cookie": `${PLANTED.cookie}; path=/; httponly` },
      },
    },
    platform: platform(7),
  };
}

/** The same API call as df-logger's http protocol delivers it (NetworkLogger::log). */
export function httpApiCallEvent(): EventData {
  const gelf = apiCallEvent();
  const { event, platform: plat, message } = gelf as { event: Json; platform: Json; message: Json };
  return {
    // df-logger: `_message`, `_level` (Monolog's number: INFO is 200), then the context.
    _message: message,
    _level: 200,
    _event: event,
    _platform: plat,
    type: "dreamfactory",
    // logstash-input-http v3.10.x with ECS on: the sender's address under [host][ip].
    host: { ip: "172.18.0.5" },
    "@metadata": { transport: "http" },
  };
}
