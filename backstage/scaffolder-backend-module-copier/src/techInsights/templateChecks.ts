import type { Check } from '@backstage-community/plugin-tech-insights-common';
import { COPIER_TEMPLATE_FACT_RETRIEVER_ID } from './templateFactRetriever';

/**
 * The check of @backstage-community/plugin-tech-insights-backend-module-jsonfc
 * (`TechInsightJsonRuleCheck`), declared here so that this package needs neither it nor
 * json-rules-engine; `conditions` is a subset of json-rules-engine's `TopLevelCondition`.
 */
export interface TechInsightJsonRuleCheck extends Check {
  rule: {
    conditions:
      | { all: Array<{ fact: string; operator: string; value: unknown }> }
      | { any: Array<{ fact: string; operator: string; value: unknown }> };
    name?: string;
    priority?: number;
  };
}

/**
 * Passes when the crate is on one of the two newest releases of its copier template (the
 * `onSupportedRelease` fact of the copier template fact retriever); fails on an older release,
 * on `unreleased` and on a version that is no release. Crates of other templates have no fact, and
 * the jsonfc fact checker skips the check for them.
 */
export const copierTemplateSupportedReleaseCheck: TechInsightJsonRuleCheck = {
  id: 'copier-template-supported-release',
  type: 'json-rules-engine',
  name: 'On one of the two newest template releases',
  description:
    'The crate was generated from, or last updated to, one of the two newest releases of its copier template',
  factIds: [COPIER_TEMPLATE_FACT_RETRIEVER_ID],
  rule: { conditions: { all: [{ fact: 'onSupportedRelease', operator: 'equal', value: true }] } },
  successMetadata: { message: 'The crate is on a supported template release.' },
  failureMetadata: {
    message:
      'The crate is behind the two newest template releases, or on an unreleased template commit: run `copier update --trust --defaults` (or the copier:update action) to move it to the latest release.',
  },
};
