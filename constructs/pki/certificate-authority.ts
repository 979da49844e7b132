import { Construct } from "constructs";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";

/** Validity of the stack's CA and the certificates it signs; renewed early by terraform. */
const CA_VALIDITY_HOURS = 24 * 365 * 5;
const CERT_VALIDITY_HOURS = 24 * 365;
const EARLY_RENEWAL_HOURS = 24 * 30;

/** The names a certificate is issued for, known at synth time. */
export interface CertificateNames {
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

export interface IssuedCertificate {
  readonly names: CertificateNames;
  /** PEM certificate (unknown until apply). */
  readonly certPem: string;
  /** PEM private key in PKCS#8, which Elasticsearch, Logstash and Grafana all read. */
  readonly keyPem: string;
}

export interface CertificateAuthorityProps {
  /** Common name of the CA certificate. */
  readonly commonName: string;
}

/**
 * The stack's private CA. Every TLS endpoint of the stack gets a certificate from it,
 * so every client verifies with one CA certificate instead of skipping verification.
 */
export class CertificateAuthority extends Construct {
  readonly certPem: string;
  private readonly key: PrivateKey;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    this.key = new PrivateKey(this, "Key", { algorithm: "ECDSA", ecdsaCurve: "P384" });
    const cert = new SelfSignedCert(this, "Cert", {
      privateKeyPem: this.key.privateKeyPem,
      isCaCertificate: true,
      subject: [{ commonName: props.commonName, organization: "elk-grafana-cdktf" }],
      validityPeriodHours: CA_VALIDITY_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    });
    this.certPem = cert.certPem;
  }

  /** Issues a server (and client, for node-to-node TLS) certificate for the given names. */
  issue(id: string, names: CertificateNames): IssuedCertificate {
    const scope = new Construct(this, id);
    const key = new PrivateKey(scope, "Key", { algorithm: "ECDSA", ecdsaCurve: "P384" });
    const request = new CertRequest(scope, "Request", {
      privateKeyPem: key.privateKeyPem,
      subject: [{ commonName: names.commonName, organization: "elk-grafana-cdktf" }],
      dnsNames: [...names.dnsNames],
      ipAddresses: [...names.ipAddresses],
    });
    const cert = new LocallySignedCert(scope, "Cert", {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: this.key.privateKeyPem,
      caCertPem: this.certPem,
      validityPeriodHours: CERT_VALIDITY_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    });
    return { names, certPem: cert.certPem, keyPem: key.privateKeyPemPkcs8 };
  }
}
