// The smallest consumer app: a stack of your own holding only the private CA. It proves
// the package installs, type-checks and synthesizes in an app that is not this repo.
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { CertificateAuthority } from "elk-grafana-cdktf";

const app = new App();
const stack = new TerraformStack(app, "minimal");
new TlsProvider(stack, "tls");
const ca = new CertificateAuthority(stack, "Ca", { commonName: "example-ca" });
new TerraformOutput(stack, "ca_cert_pem", { value: ca.certPem });
app.synth();
