/**
 * The one-time server certificate of go-plugin's AutoMTLS: a self-signed ECDSA P-256
 * certificate for `localhost`, usable for server and client auth (what go-plugin's own
 * generateCert makes, hashicorp/go-plugin mtls.go at v1.6.0, with P-256: an RSA key costs
 * ~260 ms per start). node:crypto signs but cannot build certificates, hence this small
 * DER writer.
 */
import * as crypto from "node:crypto";

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...c: Buffer[]) => der(0x30, ...c);

/**
 * A non-negative DER INTEGER from big-endian bytes: no leading zero byte unless the next
 * byte has its top bit set (X.690 8.3.2). OpenSSL refuses anything else ("illegal
 * padding"), so a random serial that happened to start with 0x00 once took down 1 start
 * in ~270.
 */
export function derInteger(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const rest = Buffer.from(bytes.subarray(i));
  return der(0x02, ...(rest.length === 0 || rest[0] & 0x80 ? [Buffer.from([0]), rest] : [rest]));
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"; // YYMMDDHHMMSSZ
  return der(0x17, Buffer.from(s, "ascii"));
}

const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

export interface ServerCertificate {
  /** PEM of the certificate and of its PKCS#8 key, for the gRPC server. */
  readonly certPem: string;
  readonly keyPem: string;
  /** What go-plugin's handshake line carries: the DER as unpadded standard base64. */
  readonly handshake: string;
}

/** `serial`: 16 random bytes unless given (tests give edge cases). */
export function makeServerCertificate(now = new Date(), serial = crypto.randomBytes(16)): ServerCertificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(der(0x31, seq(oid("2.5.4.3"), der(0x0c, Buffer.from("localhost")))));
  const tbs = seq(
    der(0xa0, derInteger(Buffer.from([2]))), // v3
    derInteger(serial),
    ecdsaSha256,
    name,
    seq(utcTime(new Date(now.getTime() - 30_000)), utcTime(new Date(now.getTime() + 365 * 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    der(
      0xa3,
      seq(
        extension("2.5.29.15", true, der(0x03, Buffer.from([0x02, 0x84]))), // digitalSignature, keyCertSign
        extension("2.5.29.19", true, seq(der(0x01, Buffer.from([0xff])))), // CA, as go-plugin's
        extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
        extension("2.5.29.17", false, seq(der(0x82, Buffer.from("localhost")))),
      ),
    ),
  );
  const signature = crypto.sign("sha256", tbs, privateKey);
  const cert = seq(tbs, ecdsaSha256, der(0x03, Buffer.from([0]), signature));
  const b64 = cert.toString("base64");
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    handshake: b64.replace(/=+$/, ""),
  };
}
