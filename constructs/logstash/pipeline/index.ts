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
  jwtUserIdRubyInit,
  REQUEST_HEADERS_FIELD,
  jwtUserIdRubyCode,
  rubyStringLiteral,
} from "./jwt-user-id";
export * from "./normalize";
export {
  RESPONSE_MS_FAILURE_TAG,
  apiLogRubyLibrary,
  buildApiLogPipeline,
  dailyIndexFormat,
  dailyIndexName,
  responseMsRubyCode,
  type ApiLogPipelineParams,
} from "./default-pipeline";
export { RUBY_LIBRARY_SOURCE } from "./ruby-library";
export { elasticsearchOutput, type ElasticsearchOutputParams } from "./elasticsearch-output";
export {
  DEAD_LETTER_METADATA,
  buildDeadLetterPipeline,
  type DeadLetterPipelineParams,
} from "./dead-letter-pipeline";
export * from "./gelf";
export { GELF_RUBY_SOURCE } from "./gelf-ruby";
