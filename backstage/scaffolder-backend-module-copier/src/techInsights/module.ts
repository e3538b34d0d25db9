import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { createTemplateFactRetriever } from './templateFactRetriever';

/**
 * Adds the copier template fact retriever to the tech-insights backend, for the templates of
 * app-config `techInsights.copier.templates` (a list of `{ entityRef, url }`). The tech-insights backend
 * schedules it only when `techInsights.factRetrievers.copierTemplateFactRetriever.cadence` is set.
 */
export const techInsightsModuleCopierTemplateFacts = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'copier-template-facts',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        providers: techInsightsFactRetrieversExtensionPoint,
      },
      async init({ config, catalog, providers }) {
        const templates = Object.fromEntries(
          (config.getOptionalConfigArray('techInsights.copier.templates') ?? []).map(template => [
            template.getString('entityRef'),
            template.getString('url'),
          ]),
        );
        const retriever = createTemplateFactRetriever({ catalog, templates });
        providers.addFactRetrievers({ [retriever.id]: retriever });
      },
    });
  },
});
