import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionContext, fixture, listFiles, moduleConfig, run, tempDir } from '../testing';
import { createCopierCopyAction } from './copy';
import { createCopierUpdateAction } from './update';

const template = fixture('COPIER_TEMPLATE');
const previous = fixture('COPIER_PREVIOUS');
const upcoming = fixture('COPIER_UPCOMING');

/** A crate generated at `version` by copier:copy, as `fetch:plain` would hand it over: no git. */
async function crateAt(version: string, name: string): Promise<string> {
  const workspace = tempDir('workspace-');
  const ctx = actionContext({ url: template, version, answers: { project_name: name } }, workspace);
  await createCopierCopyAction({ config: moduleConfig() }).handler(ctx);
  return workspace;
}

/** A team's edit of a README line the upcoming release rewrites too (a real conflict); returns the README. */
async function editLineTheReleaseRewrites(crate: string, replacement: string): Promise<string> {
  const readme = path.join(crate, 'README.md');
  const text = await fs.readFile(readme, 'utf8');
  const line = text.split('\n').find(each => each.startsWith('| `src/error.rs` |'));
  if (!line) throw new Error('the README of the previous release has no src/error.rs row');
  await fs.writeFile(readme, text.replace(line, replacement));
  return readme;
}

/** The CHANGELOG headings of the template's releases after `version`, read from the template. */
function headingsAfter(version: string): string[] {
  const changelog = run('git', ['show', `${upcoming}:CHANGELOG.md`], template);
  const headings = changelog.split('\n').filter(line => /^## \[\d+\.\d+\.\d+\]/.test(line));
  return headings.slice(0, headings.findIndex(line => line.startsWith(`## [${version}]`)));
}

/** Outputs the action gave, by name. */
function outputs(ctx: { output: (name: never, value: never) => void }): Record<string, unknown> {
  return Object.fromEntries(jest.mocked(ctx.output).mock.calls);
}

describe('copier:update', () => {
  it('updates a crate from the previous release, keeps the team edit, and returns the pull request', async () => {
    const crate = await crateAt(previous, 'team-crate');
    const readme = path.join(crate, 'README.md');
    await fs.appendFile(readme, '\n## On call\n\nThe search team, #search-oncall.\n');
    const fetched = await listFiles(crate);
    const ctx = actionContext({}, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);
    const updated = await listFiles(crate);

    const out = outputs(ctx);
    expect(out).toMatchObject({
      result: 'updated',
      fromVersion: previous,
      toVersion: upcoming,
      branchName: `template-update/${upcoming}`,
      title: `Template update: ${previous} to ${upcoming}`,
      draft: false,
      conflicts: [],
      repoUrl: 'github.com?owner=reasonkit&repo=team-crate',
    });
    // What publish:github:pull-request must delete: the files the release dropped or moved.
    const gone = fetched.filter(file => !updated.includes(file));
    expect(gone.length).toBeGreaterThan(0);
    expect(out.filesToDelete).toEqual(gone);
    const sections = headingsAfter(previous);
    expect(sections.length).toBeGreaterThan(0);
    for (const heading of sections) {
      expect(out.description).toContain(heading.replace(/^## /, '### '));
    }
    expect(await fs.readFile(readme, 'utf8')).toContain('The search team, #search-oncall.');
    // The catalog sees the new version: what the fact retriever reads.
    const catalog = parse(await fs.readFile(path.join(crate, 'catalog-info.yaml'), 'utf8'));
    expect(catalog.metadata.annotations['backstage.io/template-version']).toBe(upcoming);
    expect(run('git', ['log', '--format=%s'], crate).split('\n')[0]).toBe(
      `chore: update from template ${previous} to ${upcoming}`,
    );
    expect(run('git', ['status', '--porcelain'], crate)).toBe('');
  });

  it('returns the conflicting files for a draft pull request', async () => {
    const crate = await crateAt(previous, 'conflicted');
    const readme = await editLineTheReleaseRewrites(crate, '| `src/error.rs` | our error enum, with error codes |');
    const ctx = actionContext({ failOnConflict: false }, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ result: 'conflicts', draft: true, conflicts: ['README.md'] });
    expect(await fs.readFile(readme, 'utf8')).toMatch(/^<<<<<<< /m);
  });

  it('fails the task on a conflict by default, naming the files', async () => {
    const crate = await crateAt(previous, 'conflicted-fail');
    await editLineTheReleaseRewrites(crate, '| `src/error.rs` | ours |');
    const ctx = actionContext({}, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      `the update to ${upcoming} conflicts in 1 file(s): README.md`,
    );
    expect(outputs(ctx).conflicts).toEqual(['README.md']);
  });

  it('does nothing to a crate on the newest release', async () => {
    const crate = await crateAt(upcoming, 'current');
    const ctx = actionContext({}, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ result: 'up-to-date', fromVersion: upcoming, toVersion: upcoming });
    expect(run('git', ['log', '--format=%s'], crate).trim()).toBe('the crate as fetched');
  });

  it("refuses a version that is not a release with the script's one line", async () => {
    const crate = await crateAt(previous, 'bad-version');
    const ctx = actionContext({ version: '9.9.9' }, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      /^template-update: .*9\.9\.9/,
    );
  });

  it('names the way out for a crate older than the update script', async () => {
    const crate = await crateAt('0.1.0', 'oldest');
    const ctx = actionContext({}, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      'the crate (template version 0.1.0) has no scripts/template_update.py',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('runs no template outside the allow-list', async () => {
    const crate = await crateAt(previous, 'elsewhere');
    const ctx = actionContext({}, crate);

    await expect(
      createCopierUpdateAction({ config: moduleConfig(['https://example.org/other-template']) }).handler(ctx),
    ).rejects.toThrow(`template ${template} is not in scaffolder.copier.allowedTemplates`);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
