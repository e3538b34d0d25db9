export {
  COPIER_TEMPLATE_FACT_RETRIEVER_ID,
  SOURCE_TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
  createTemplateFactRetriever,
  sortReleases,
} from './templateFactRetriever';
export type { TemplateFactRetrieverOptions } from './templateFactRetriever';
export { copierTemplateSupportedReleaseCheck } from './templateChecks';
export type { TechInsightJsonRuleCheck } from './templateChecks';
export { techInsightsModuleCopierTemplateFacts } from './module';
