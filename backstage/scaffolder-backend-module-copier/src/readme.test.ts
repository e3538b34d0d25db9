// The README's claims, checked: its backend code names what the package exports, its app-config
// starts both modules, its check is the exported one, and the image installs the same copier as
// the crates' template-update workflow.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { ConfigReader } from '@backstage/config';
import { parse } from 'yaml';
import * as pkg from '.';
import { createCopierCopyAction } from './actions/copy';
import { createCopierUpdateAction } from './actions/update';

const root = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function block(language: string): string {
  const match = readme.match(new RegExp('```' + language + '\\n([\\s\\S]*?)```'));
  if (!match) throw new Error(`README.md has no ${language} block`);
  return match[1];
}

function pins(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(line => line && !line.startsWith('#'));
}

describe('README.md', () => {
  it('adds what the package exports', () => {
    const ts = block('ts');
    expect(ts).toContain(`import('${require('../package.json').name}')`);
    for (const [, name] of ts.matchAll(/^backend\.add\((\w+)\);$/gm)) {
      expect(Object.keys(pkg)).toContain(name);
    }
    expect(pkg.default).toBeDefined();
  });

  it('configures both modules with its app-config', async () => {
    const config = parse(block('yaml'));
    const addActions = jest.fn();
    const addFactRetrievers = jest.fn();
    const backend = await startTestBackend({
      extensionPoints: [
        [scaffolderActionsExtensionPoint, { addActions }],
        [techInsightsFactRetrieversExtensionPoint, { addFactRetrievers }],
      ],
      features: [
        pkg.default,
        pkg.techInsightsModuleCopierTemplateFacts,
        mockServices.rootConfig.factory({ data: config }),
        catalogServiceMock.factory(),
      ],
    });
    try {
      expect(addActions).toHaveBeenCalledTimes(1);
      expect(Object.keys(addFactRetrievers.mock.calls[0][0])).toEqual(Object.keys(config.techInsights.factRetrievers));
    } finally {
      await backend.stop();
    }
    const { id, ...check } = pkg.copierTemplateSupportedReleaseCheck;
    expect(config.techInsights.factChecker.checks[id]).toEqual({
      type: check.type,
      name: check.name,
      description: check.description,
      factIds: check.factIds,
      rule: check.rule,
    });
  });

  it("installs the copier the crates' update workflow pins", () => {
    // Every pin, written out: create-app's .dockerignore keeps plugins/ out of the build context.
    const dockerfile = block('dockerfile');
    expect(dockerfile).not.toContain('plugins/');
    const installed = dockerfile.match(/pip install --no-cache-dir \\\n\s+(.+)\n/)?.[1].split(/\s+/);
    expect(installed).toEqual(pins(path.join(root, 'requirements.txt')));
    expect(pins(path.join(root, 'requirements.txt'))).toEqual(
      pins(path.join(root, '..', '..', 'template', '.github', 'template-update-requirements.txt')),
    );
  });

  it("names every input and output of both actions in the action's own part", () => {
    const config = new ConfigReader({ scaffolder: { copier: { allowedTemplates: ['https://example.org/template'] } } });
    const actions = readme.split('\n## The actions\n')[1].split('\n## ')[0];
    const [copyPart, updatePart] = actions.split('\n`copier:update`\n');
    const parts: Record<string, string> = { 'copier:copy': copyPart, 'copier:update': updatePart };
    for (const action of [createCopierCopyAction({ config }), createCopierUpdateAction({ config })]) {
      const names = [action.schema?.input, action.schema?.output].flatMap(schema => Object.keys(schema?.properties ?? {}));
      expect(names.length).toBeGreaterThan(3);
      for (const name of names) {
        expect([action.id, parts[action.id].includes(`\`${name}\``)]).toEqual([action.id, true]);
      }
    }
  });
});
