// The bundle's entry (providers.ts builds it): run the provider.
import { main } from "./main";

void main().then((code) => {
  if (code !== undefined) process.exit(code);
});
