import { isIP } from "node:net";
import type { CertificateNames } from "./pki/certificate-authority";

/** A client of the stack, an HTTPS URL it is given, and the certificate of the server that answers it. */
export interface TlsUse {
  /** Who uses the URL, e.g. `the grafana provider`. */
  readonly client: string;
  readonly url: string;
  readonly certificate: CertificateNames;
}

/** The host of an https URL as a certificate names it: IPv6 without brackets, DNS names in lower case. */
export function urlHost(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith("[") ? host.slice(1, -1) : host.toLowerCase();
}

/**
 * Whether a certificate covers a host the way a verifying client checks it (RFC 6125): an IP
 * address must be among the IP SANs, a DNS name among the DNS SANs (no wildcards are issued).
 */
export function certificateCovers(certificate: CertificateNames, host: string): boolean {
  if (isIP(host)) return certificate.ipAddresses.includes(host);
  return certificate.dnsNames.some((n) => n.toLowerCase() === host.toLowerCase());
}

/** One problem per URL whose server certificate does not name its host. */
export function tlsNameProblems(uses: readonly TlsUse[]): string[] {
  const problems: string[] = [];
  for (const use of uses) {
    const host = urlHost(use.url);
    if (!certificateCovers(use.certificate, host)) {
      const names = [...use.certificate.dnsNames, ...use.certificate.ipAddresses].join(", ");
      problems.push(
        `${use.client} is given ${use.url}, but the certificate of ${use.certificate.commonName} names only ${names}: TLS verification would fail`,
      );
    }
  }
  return problems;
}
