// The root catalog-info.yaml's two Templates, rendered the way Backstage's task runner renders a
// step's input (@backstage/plugin-scaffolder-backend 4.3's NunjucksWorkflowRunner: nunjitsu's
// renderValue with JSON coercion, and its parseRepoUrl filter), then run through the actions:
// what the form sends reaches copier as copier needs it, and what copier:update returns is what
// publish:github:pull-request receives.
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { parseRepoUrl } from '@backstage/plugin-scaffolder-node';
import type { JsonValue } from '@backstage/types';
import { createTemplateRenderer, type TemplateContext, type TemplateValue } from 'nunjitsu';
import { parse, parseAllDocuments } from 'yaml';
import { createCopierCopyAction } from './actions/copy';
import { createCopierUpdateAction } from './actions/update';
import { actionContext, fixture, moduleConfig, tempDir } from './testing';

const [copyTemplate, updateTemplate] = parseAllDocuments(
  readFileSync(path.resolve(__dirname, '..', '..', '..', 'catalog-info.yaml'), 'utf8'),
).map(document => document.toJS());
const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
const renderer = createTemplateRenderer({
  allowRegexExecution: true,
  filters: { parseRepoUrl: (url: unknown) => parseRepoUrl(String(url), integrations) as TemplateValue },
});

/** Render every string of `input` as the task runner does; a string that fails to render fails the test. */
function render(input: JsonValue, context: TemplateContext): any {
  return JSON.parse(JSON.stringify(input), (_key, value) =>
    typeof value === 'string' ? renderer.renderValue(value, context, { coercion: 'json' }) : value,
  );
}

function step(template: any, id: string): any {
  return template.spec.steps.find((each: { id: string }) => each.id === id);
}

describe("the scaffold Template's copy step", () => {
  it('sends the form to copier:copy as answers copier records', async () => {
    // What the form submits: an optional field left empty is absent.
    const parameters = {
      project_name: 'search-kit',
      description: 'Search for the docs site',
      crate_kind: 'cli',
      stack: ['moka'],
      python_bindings: false,
      author_name: 'Search Team',
      license: 'MIT',
      catalog_lifecycle: 'experimental',
      repoUrl: 'github.com?owner=acme&repo=search-kit',
    };
    const input = render(step(copyTemplate, 'copy').input, { parameters });
    expect(input.answers).toMatchObject({ repository_url: 'https://github.com/acme/search-kit', author_email: '' });
    expect(JSON.stringify(input)).not.toContain('${{');

    const workspace = tempDir('workspace-');
    const ctx = actionContext({ ...input, url: fixture('COPIER_TEMPLATE') }, workspace);
    await createCopierCopyAction({ config: moduleConfig() }).handler(ctx);

    const answers = parse(await fs.readFile(path.join(workspace, '.copier-answers.yml'), 'utf8'));
    expect(answers).toMatchObject({
      project_name: 'search-kit',
      crate_kind: 'cli',
      stack: ['moka'],
      python_bindings: false,
      author_email: '',
      repository_url: 'https://github.com/acme/search-kit',
      catalog_owner: 'group:default/acme',
      workspace_root: '',
    });
    const catalog = parse(await fs.readFile(path.join(workspace, 'catalog-info.yaml'), 'utf8'));
    expect(catalog.metadata.annotations['github.com/project-slug']).toBe('acme/search-kit');
    expect(render(step(copyTemplate, 'publish').input, { parameters }).repoUrl).toBe(parameters.repoUrl);
  });
});

describe("the update Template's steps", () => {
  it('fetch the crate the catalog names, and open the pull request copier:update describes', async () => {
    const workspace = tempDir('workspace-');
    const copy = actionContext(
      // 0.2.0: the update from it removes files (0.3.0 moved the binary), which the pull request must delete
      { url: fixture('COPIER_TEMPLATE'), version: '0.2.0', answers: { project_name: 'lagging' } },
      workspace,
    );
    await createCopierCopyAction({ config: moduleConfig() }).handler(copy);
    const entity = parse(await fs.readFile(path.join(workspace, 'catalog-info.yaml'), 'utf8'));
    const parameters = { component: 'component:default/lagging' };
    const fetched = { 'fetch-component': { output: { entity } } };

    expect(render(step(updateTemplate, 'fetch-component').input, { parameters })).toEqual({
      entityRef: 'component:default/lagging',
    });
    expect(render(step(updateTemplate, 'checkout').input, { parameters, steps: fetched }).url).toBe(
      'https://github.com/reasonkit/lagging',
    );

    const update = actionContext(render(step(updateTemplate, 'update').input, { parameters }), workspace);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(update);
    const output = Object.fromEntries(jest.mocked(update.output).mock.calls);
    const context = { parameters, steps: { ...fetched, update: { output } } };
    const pullRequest = step(updateTemplate, 'pull-request');

    expect(render(pullRequest.if, context)).toBe(true);
    expect(render(pullRequest.input, context)).toEqual({
      repoUrl: 'github.com?owner=reasonkit&repo=lagging',
      branchName: 'template-update',
      title: `Template update: 0.2.0 to ${fixture('COPIER_UPCOMING')}`,
      description: output.description,
      draft: false,
      filesToDelete: output.filesToDelete,
    });
    expect((output.filesToDelete as string[]).length).toBeGreaterThan(0);
    expect(render(pullRequest.if, { ...context, steps: { ...fetched, update: { output: { result: 'up-to-date' } } } })).toBe(
      false,
    );
  });
});
