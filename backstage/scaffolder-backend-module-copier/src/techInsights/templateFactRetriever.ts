import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { FactRetriever, TechInsightFact } from '@backstage-community/plugin-tech-insights-node';
import { compareReleases, listReleases as listGitReleases, RELEASE_TAG } from '../copier';

/** The annotation naming the template a crate was made from, e.g. `template:default/copier-reasonkit-rust`. */
export const SOURCE_TEMPLATE_ANNOTATION = 'backstage.io/source-template';
/** The annotation with the template release a crate is on (X.Y.Z), or `unreleased`. */
export const TEMPLATE_VERSION_ANNOTATION = 'backstage.io/template-version';
/** The id of the retriever, its facts' id, and its key under `techInsights.factRetrievers`. */
export const COPIER_TEMPLATE_FACT_RETRIEVER_ID = 'copierTemplateFactRetriever';

/** Options of {@link createTemplateFactRetriever}. */
export interface TemplateFactRetrieverOptions {
  catalog: CatalogService;
  /** The templates to report on: template entity ref (as in the crates' source-template annotation) to its git URL. */
  templates: Record<string, string>;
  /**
   * The tag names of the template at a URL (any order; tags other than X.Y.Z and vX.Y.Z are
   * ignored). Default: its tags, read with `git ls-remote` with the backend host's git credentials.
   */
  listReleases?: (templateUrl: string) => Promise<string[]>;
}

/** `X.Y.Z` for a tag `X.Y.Z` or `vX.Y.Z`, undefined for anything else. */
function releaseOf(tag: string | undefined): string | undefined {
  const match = RELEASE_TAG.exec(tag ?? '');
  return match ? match.slice(1).map(Number).join('.') : undefined;
}

/** The releases among tag names, as X.Y.Z, oldest first (compared numerically: 0.9.0 < 0.10.0). */
export function sortReleases(tags: string[]): string[] {
  return [...new Set(tags.flatMap(tag => releaseOf(tag) ?? []))].sort(compareReleases);
}

/**
 * A crate's facts given the version it records and the template's releases (oldest first, at
 * least one). A crate that records `unreleased` (made from a commit between releases), a version
 * that is not among the releases, or no version at all has no `releasesBehind` and is not on a
 * supported release: its lag is unknown, and `copier update` to a release fixes it.
 * `templateVersion` is the annotation as recorded (absent when the crate records none).
 */
function templateFacts(recorded: string | undefined, releases: string[]): TechInsightFact['facts'] {
  const index = releases.indexOf(releaseOf(recorded) ?? '');
  const releasesBehind = index < 0 ? undefined : releases.length - 1 - index;
  return {
    ...(recorded === undefined ? {} : { templateVersion: recorded }),
    latestRelease: releases[releases.length - 1],
    ...(releasesBehind === undefined ? {} : { releasesBehind }),
    onSupportedRelease: releasesBehind !== undefined && releasesBehind <= 1,
  };
}

/**
 * A Tech Insights fact retriever that reports, for each Component made from one of `templates`
 * (its `backstage.io/source-template` annotation), how far its `backstage.io/template-version`
 * lags behind the template's releases (its X.Y.Z / vX.Y.Z git tags). A template whose releases
 * cannot be read, or that has none, is logged once per run and its crates get no fact; Components
 * from other templates get none either.
 */
export function createTemplateFactRetriever(options: TemplateFactRetrieverOptions): FactRetriever {
  const { catalog, listReleases = (url: string) => listGitReleases(url) } = options;
  // Entity refs are case-insensitive, and so is the catalog's filter.
  const templates = new Map(Object.entries(options.templates).map(([ref, url]) => [ref.toLowerCase(), url]));
  return {
    id: COPIER_TEMPLATE_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Copier template version',
    description: 'How far each crate is behind the releases of the copier template it was made from',
    entityFilter: [{ kind: 'component' }],
    schema: {
      templateVersion: {
        type: 'string',
        description: `The template version the crate records (${TEMPLATE_VERSION_ANNOTATION}): X.Y.Z or "unreleased"`,
      },
      latestRelease: { type: 'string', description: "The newest of the template's releases" },
      releasesBehind: {
        type: 'integer',
        description: "How many of the template's releases are newer than the crate's (absent when it is on no release)",
      },
      onSupportedRelease: {
        type: 'boolean',
        description: "Whether the crate is on one of the template's two newest releases",
      },
    },
    async handler({ auth, logger }) {
      if (templates.size === 0) {
        return [];
      }
      const credentials = await auth.getOwnServiceCredentials();
      const { items } = await catalog.getEntities(
        {
          filter: { kind: 'Component', [`metadata.annotations.${SOURCE_TEMPLATE_ANNOTATION}`]: [...templates.keys()] },
          fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
        },
        { credentials },
      );
      // Each template URL is read once a run, and only when a crate of it is in the catalog.
      const releasesByUrl = new Map<string, Promise<string[] | undefined>>();
      const readReleases = async (ref: string, url: string) => {
        try {
          const releases = sortReleases(await listReleases(url));
          if (releases.length === 0) throw new Error('it has no X.Y.Z tag');
          return releases;
        } catch (error) {
          const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
          logger.warn(`Skipping the crates of ${ref}: cannot read the releases of ${url}: ${reason}`);
          return undefined;
        }
      };
      const releasesOf = (ref: string, url: string) => {
        if (!releasesByUrl.has(url)) releasesByUrl.set(url, readReleases(ref, url));
        return releasesByUrl.get(url)!;
      };
      const facts = await Promise.all(
        items.map(async (entity: Entity): Promise<TechInsightFact[]> => {
          const annotations = entity.metadata.annotations ?? {};
          const ref = annotations[SOURCE_TEMPLATE_ANNOTATION]?.toLowerCase() ?? '';
          const url = templates.get(ref);
          const releases = url === undefined ? undefined : await releasesOf(ref, url);
          if (!releases) {
            return [];
          }
          const { kind, metadata } = entity;
          return [
            {
              entity: { namespace: metadata.namespace ?? 'default', kind, name: metadata.name },
              facts: templateFacts(annotations[TEMPLATE_VERSION_ANNOTATION], releases),
            },
          ];
        }),
      );
      return facts.flat();
    },
  };
}
