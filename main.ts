import { App } from "cdktf";
import { loadConfig } from "./config";
import { AnalyticsStack } from "./app/analytics-stack";
import { STACK_NAME, localStatePath, runOrExplain } from "./app/app-support";

// Composes the stack from the validated config; all logic lives in constructs/ and config/.
runOrExplain(() => {
  const config = loadConfig(process.env);
  const app = new App();
  new AnalyticsStack(app, STACK_NAME, { config, localStatePath: localStatePath(app.outdir, STACK_NAME) });
  app.synth();
});
