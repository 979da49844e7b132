export * from "./model";
export {
  LOGSTASH_SETTINGS_REQUIRED,
  extractEnvReferences,
  quoteString,
  renderNumber,
  renderPipeline,
} from "./render";
export {
  JWT_USER_ID_FAILURE_TAG,
  JWT_USER_ID_RUBY_INIT,
  REQUEST_HEADERS_FIELD,
  jwtUserIdRubyCode,
  rubyStringLiteral,
} from "./jwt-user-id";
export * from "./normalize";
export {
  RESPONSE_MS_FAILURE_TAG,
  buildApiLogPipeline,
  dailyIndexFormat,
  dailyIndexName,
  responseMsRubyCode,
  type ApiLogPipelineParams,
} from "./default-pipeline";
