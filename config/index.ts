export { ConfigError, CONFIG_ENV, loadConfig, parseConfig } from "./load";
export { configSchema, type StackConfig, type StackConfigInput } from "./schema";
export { indexNameProblem } from "../constructs/elasticsearch/index-name";
