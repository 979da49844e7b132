import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
  readonly text: string;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Value of the Authorization header. */
  readonly authorization?: string;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** PEM of a private CA, trusted in addition to the public roots. */
  readonly ca?: string;
  /** Bound on the whole exchange: connect, TLS, request and response body. */
  readonly timeoutMs: number;
}

/**
 * A request that got no HTTP answer (refused, DNS, TLS, timeout). `code` is Node's error
 * code (ECONNREFUSED, ENOTFOUND, SELF_SIGNED_CERT_IN_CHAIN, …) or ETIMEDOUT for our bound.
 */
export class RequestFailed extends Error {
  constructor(
    readonly url: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestFailed";
  }
}

/** Longest body kept; Elasticsearch error bodies and health answers are far smaller. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * One HTTP(S) exchange. Any status is a response (the checks judge 401/403/404 themselves);
 * only a missing answer throws RequestFailed. TLS is always verified: a private CA is added
 * to the public roots rather than replacing them, so one CA option serves a cluster with a
 * private CA and a Grafana with a public certificate alike.
 */
export function request(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  const payload = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json));
  const headers: Record<string, string | number> = { accept: "application/json" };
  if (req.authorization !== undefined) headers.authorization = req.authorization;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = payload.length;
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const tlsOptions =
    url.protocol === "https:" && req.ca !== undefined ? { ca: [...rootCertificates, req.ca] } : {};

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (code: string, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new RequestFailed(req.url, code, message));
    };
    // agent: false closes each connection, so no idle keep-alive socket holds the process open.
    const r = send(url, { method: req.method ?? "GET", headers, agent: false, ...tlsOptions }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      res.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? "ERESPONSE", e.message));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: parseJson(text), text });
      });
    });
    const timer = setTimeout(() => {
      fail("ETIMEDOUT", `no answer within ${req.timeoutMs} ms`);
      r.destroy();
    }, req.timeoutMs);
    r.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? "ECONNECTION", e.message));
    r.end(payload);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
