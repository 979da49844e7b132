import { createHmac } from "node:crypto";
import { API_KEY_HEADER } from "../../contract/fields";

/**
 * What the smoke check writes: the session JWT, the GELF message the gateway would send,
 * the product event, and the names they land in. Pure: randomness and time come in as
 * arguments, so tests can pin them.
 */

/** Base64url without padding (RFC 7515 §2), as JWTs encode their parts. */
export function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

export interface SessionJwtClaims {
  readonly user_id: string | number;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
}

/**
 * A gateway-style session token: HS256 over `header.payload` with a throwaway secret.
 * The pipeline does not verify signatures, but a well-formed token keeps the check honest.
 */
export function buildSessionJwt(claims: SessionJwtClaims, secret: Buffer): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** `<prefix>-YYYY.MM.dd` of the UTC day, as the pipeline's `%{+YYYY.MM.dd}` names it. */
export function dailyIndexName(prefix: string, at: Date): string {
  const mm = String(at.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(at.getUTCDate()).padStart(2, "0");
  return `${prefix}-${at.getUTCFullYear()}.${mm}.${dd}`;
}

/** A token that the standard analyzer keeps whole (letters, digits, `_`), so a phrase query finds it. */
export function smokeMarker(random: Buffer): string {
  return `smoke_${random.toString("hex")}`;
}

export interface GelfMessageParams {
  /** GELF `host`: the pipeline moves it to source_hostname and host.name. */
  readonly host: string;
  readonly marker: string;
  readonly sentAt: Date;
  readonly sessionTokenHeader: string;
  readonly sessionToken: string;
  /** An API key, sent where DreamFactory accepts one: header, query string, parameters, cookie. */
  readonly apiKey: string;
  /**
   * Response body stand-in. Random (incompressible) text makes the deflated message
   * larger than one UDP chunk, so Logstash has to reassemble chunks as in production.
   */
  readonly responseContent: string;
}

/**
 * A GELF 1.1 message shaped like the gateway's. The request data is one nested JSON object
 * in the additional field `_event`: the pipeline's GELF decoder parses the whole document into
 * the event and strips the underscore of top-level keys only, so `_event` becomes
 * `[event]` with `[event][request][headers]` intact, which is where the pipeline reads the
 * session token. (Flattened keys such as `_event_request_headers_…`, what gelf-pro's own
 * `message()` would produce, would stay top-level fields the pipeline never looks at.)
 */
export function buildGelfMessage(p: GelfMessageParams): Record<string, unknown> {
  return {
    version: "1.1",
    host: p.host,
    short_message: `smoke check ${p.marker}`,
    // GELF timestamps are seconds since the epoch with an optional fraction.
    timestamp: p.sentAt.getTime() / 1000,
    // syslog "informational"
    level: 6,
    _event: {
      // df-core 1.0.15 InternalServiceRequest::toArray() / ServiceResponse::toArray() field names.
      request: {
        method: "GET",
        uri: `/api/v2/smoke/${p.marker}?api_key=${p.apiKey}&session_token=${p.sessionToken}`,
        service: "smoke",
        resource: "check",
        parameters: { api_key: p.apiKey, session_token: p.sessionToken },
        headers: {
          accept: "application/json",
          cookie: `dreamfactory_session=${p.apiKey}`,
          [p.sessionTokenHeader]: p.sessionToken,
          [API_KEY_HEADER]: p.apiKey,
        },
      },
      response: { status_code: 200, content: p.responseContent },
    },
  };
}

/**
 * A product event with only declared top-level fields: nothing under context, properties
 * or traits, whose dynamic mapping would otherwise keep a smoke field in the index forever.
 */
export function eventsTestDocument(eventId: string, at: Date): Record<string, string> {
  const when = at.toISOString();
  return {
    event_id: eventId,
    type: "track",
    event: "smoke_check",
    anonymous_id: eventId,
    source_id: "smoke",
    integration_id: "smoke",
    timestamp: when,
    received_at: when,
    sent_at: when,
  };
}
