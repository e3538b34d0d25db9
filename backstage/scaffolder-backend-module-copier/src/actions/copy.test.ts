import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionContext, fixture, listFiles, moduleConfig, run, tempDir } from '../testing';
import { createCopierCopyAction } from './copy';

/** The fixture template's release tags, oldest first, read with git (not with the code under test). */
function releaseTags(): string[] {
  return run('git', ['tag', '--list', '--sort=version:refname'], fixture('COPIER_TEMPLATE'))
    .split('\n')
    .filter(tag => /^\d+\.\d+\.\d+$/.test(tag));
}

const template = fixture('COPIER_TEMPLATE');

describe('copier:copy', () => {
  it("renders the template's newest release, and every target of the crate passes clippy", async () => {
    const workspace = tempDir('workspace-');
    const ctx = actionContext(
      {
        url: template,
        answers: {
          project_name: 'catalog-crate',
          description: 'Scaffolded from Backstage',
          crate_kind: 'cli',
          stack: ['tantivy', 'moka'],
          python_bindings: false,
          author_name: 'Platform Team',
          author_email: 'platform@example.org',
          catalog_owner: 'group:default/platform',
        },
      },
      workspace,
    );
    await createCopierCopyAction({ config: moduleConfig() }).handler(ctx);

    expect(ctx.output).toHaveBeenCalledWith('version', fixture('COPIER_UPCOMING'));
    const answers = parse(await fs.readFile(path.join(workspace, '.copier-answers.yml'), 'utf8'));
    expect(answers).toMatchObject({
      _commit: fixture('COPIER_UPCOMING'),
      _src_path: template,
      project_name: 'catalog-crate',
      crate_kind: 'cli',
      stack: ['tantivy', 'moka'],
      python_bindings: false,
      catalog_owner: 'group:default/platform',
    });
    const catalog = parse(await fs.readFile(path.join(workspace, 'catalog-info.yaml'), 'utf8'));
    expect(catalog.metadata.annotations['backstage.io/template-version']).toBe(fixture('COPIER_UPCOMING'));
    expect(catalog.spec.owner).toBe('group:default/platform');

    // The crate as its first CI run sees it: clippy type-checks every target of both packages
    // (what `cargo check` would) and denies its warnings. The sample doc-search's answers: the
    // suite's shared target dir keeps this to the crate's own code.
    run('cargo', ['clippy', '--workspace', '--all-targets', '--all-features', '--quiet', '--', '-D', 'warnings'], workspace);
  });

  it("fails a bad answer with copier's one line and writes nothing", async () => {
    const workspace = tempDir('workspace-');
    const ctx = actionContext({ url: template, answers: { project_name: 'Catalog Crate' } }, workspace);
    const failure = createCopierCopyAction({ config: moduleConfig() }).handler(ctx);

    await expect(failure).rejects.toThrow(
      /^copier-reasonkit-rust: question 'project_name': only ASCII letters, digits, '-' and '_' are allowed/,
    );
    expect(await listFiles(workspace)).toEqual([]);
  });

  it('refuses a version that is not a release, naming the releases', async () => {
    const workspace = tempDir('workspace-');
    const ctx = actionContext({ url: template, version: '9.9.9', answers: { project_name: 'x' } }, workspace);

    await expect(createCopierCopyAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      `template version '9.9.9' is not a release of ${template} (releases: ${releaseTags().join(', ')})`,
    );
    expect(await listFiles(workspace)).toEqual([]);
  });

  it('renders an older release when asked', async () => {
    const workspace = tempDir('workspace-');
    const ctx = actionContext(
      { url: template, version: fixture('COPIER_PREVIOUS'), answers: { project_name: 'older' } },
      workspace,
    );
    await createCopierCopyAction({ config: moduleConfig() }).handler(ctx);

    const answers = parse(await fs.readFile(path.join(workspace, '.copier-answers.yml'), 'utf8'));
    expect(answers._commit).toBe(fixture('COPIER_PREVIOUS'));
  });

  it('runs no template outside the allow-list', async () => {
    const workspace = tempDir('workspace-');
    const elsewhere = tempDir('other-template-');
    const ctx = actionContext({ url: elsewhere, answers: { project_name: 'x' } }, workspace);

    await expect(createCopierCopyAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      `template ${elsewhere} is not in scaffolder.copier.allowedTemplates`,
    );
    expect(await listFiles(workspace)).toEqual([]);
  });

  it('refuses a workspace directory that is not empty', async () => {
    const workspace = tempDir('workspace-');
    await fs.writeFile(path.join(workspace, 'README.md'), 'ours\n');
    const ctx = actionContext({ url: template, answers: { project_name: 'x' } }, workspace);

    await expect(createCopierCopyAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow('is not empty');
    expect(await fs.readFile(path.join(workspace, 'README.md'), 'utf8')).toBe('ours\n');
  });
});
