import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionContext, fixture, listFiles, moduleConfig, run, tempDir } from '../testing';
import { createCopierCopyAction } from './copy';
import { createCopierUpdateAction } from './update';

const template = fixture('COPIER_TEMPLATE');
const previous = fixture('COPIER_PREVIOUS');
const upcoming = fixture('COPIER_UPCOMING');
/** A release an update from which removes files (0.3.0 moved the binary into a package of its own). */
const BEFORE_MOVES = '0.2.0';

/** A crate generated at `version` by copier:copy, as `fetch:plain` would hand it over: no git. */
async function crateAt(version: string, name: string): Promise<string> {
  const workspace = tempDir('workspace-');
  const ctx = actionContext({ url: template, version, answers: { project_name: name } }, workspace);
  await createCopierCopyAction({ config: moduleConfig() }).handler(ctx);
  return workspace;
}

/** A workspace with only the answers file of a crate at `version`: enough for what is refused before copier runs. */
async function answersOnly(version: string): Promise<string> {
  const workspace = tempDir('workspace-');
  await fs.writeFile(path.join(workspace, '.copier-answers.yml'), `_commit: ${version}\n_src_path: ${template}\n`);
  return workspace;
}

/**
 * A team's edit of a line every release rewrites too (a real conflict): the catalog entry's
 * template-version annotation. Returns the file.
 */
async function editLineTheReleaseRewrites(crate: string, replacement: string): Promise<string> {
  const catalog = path.join(crate, 'catalog-info.yaml');
  const text = await fs.readFile(catalog, 'utf8');
  const line = text.split('\n').find(each => each.trim().startsWith('backstage.io/template-version:'));
  if (!line) throw new Error('the catalog entry of the previous release has no template-version annotation');
  await fs.writeFile(catalog, text.replace(line, line.replace(/:.*/, `: ${replacement}`)));
  return catalog;
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
  it('updates a crate from an older release, keeps the team edit, and returns the pull request', async () => {
    const crate = await crateAt(BEFORE_MOVES, 'team-crate');
    const readme = path.join(crate, 'README.md');
    await fs.appendFile(readme, '\n## On call\n\nThe search team, #search-oncall.\n');
    const fetched = await listFiles(crate);
    const ctx = actionContext({}, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);
    const updated = await listFiles(crate);

    const out = outputs(ctx);
    expect(out).toMatchObject({
      result: 'updated',
      fromVersion: BEFORE_MOVES,
      toVersion: upcoming,
      branchName: 'template-update',
      title: `Template update: ${BEFORE_MOVES} to ${upcoming}`,
      draft: false,
      conflicts: [],
      repoUrl: 'github.com?owner=reasonkit&repo=team-crate',
    });
    // What publish:github:pull-request must delete: the files the release dropped or moved.
    const gone = fetched.filter(file => !updated.includes(file));
    expect(gone.length).toBeGreaterThan(0);
    expect(out.filesToDelete).toEqual(gone);
    const sections = headingsAfter(BEFORE_MOVES);
    expect(sections.length).toBeGreaterThan(0);
    for (const heading of sections) {
      expect(out.description).toContain(heading.replace(/^## \[(.+?)\]/, '### $1'));
    }
    expect(await fs.readFile(readme, 'utf8')).toContain('The search team, #search-oncall.');
    // The catalog sees the new version: what the fact retriever reads.
    const catalog = parse(await fs.readFile(path.join(crate, 'catalog-info.yaml'), 'utf8'));
    expect(catalog.metadata.annotations['backstage.io/template-version']).toBe(upcoming);
    expect(run('git', ['log', '--format=%s'], crate).split('\n')[0]).toBe(
      `chore: update from template ${BEFORE_MOVES} to ${upcoming}`,
    );
    expect(run('git', ['status', '--porcelain'], crate)).toBe('');
  });

  it('returns the conflicting files for a draft pull request', async () => {
    const crate = await crateAt(previous, 'conflicted');
    const catalog = await editLineTheReleaseRewrites(crate, '"pinned by the team"');
    const ctx = actionContext({ failOnConflict: false }, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);

    // The pull request still finds its repository: the slug comes from the catalog entry as fetched.
    expect(outputs(ctx)).toMatchObject({
      result: 'conflicts',
      draft: true,
      conflicts: ['catalog-info.yaml'],
      repoUrl: 'github.com?owner=reasonkit&repo=conflicted',
    });
    expect(await fs.readFile(catalog, 'utf8')).toMatch(/^<<<<<<< /m);
  });

  it('fails the task on a conflict by default, naming the files', async () => {
    const crate = await crateAt(previous, 'conflicted-fail');
    await editLineTheReleaseRewrites(crate, '"ours"');
    const ctx = actionContext({}, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      `the update to ${upcoming} conflicts in 1 file(s): catalog-info.yaml`,
    );
    expect(outputs(ctx).conflicts).toEqual(['catalog-info.yaml']);
  });

  it('does nothing to a crate on the newest release', async () => {
    const crate = await crateAt(upcoming, 'current');
    const ctx = actionContext({}, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ result: 'up-to-date', fromVersion: upcoming, toVersion: upcoming });
    expect(run('git', ['log', '--format=%s'], crate).trim()).toBe('the crate as fetched');
  });

  it('refuses a version that is not a release, naming the releases', async () => {
    const crate = await answersOnly(previous);
    const ctx = actionContext({ version: '9.9.9' }, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      `template version '9.9.9' is not a release of ${template} (releases: 0.1.0, `,
    );
  });

  it('runs no code of the crate: its update script, build script and Python modules stay unrun', async () => {
    const crate = await crateAt(previous, 'hostile');
    const markers = tempDir('markers-');
    const plant = (name: string) => `open(${JSON.stringify(path.join(markers, name))}, "w").close()`;
    // The crate's own update script, edited at its top (a clean merge with the release's changes).
    const script = path.join(crate, 'scripts', 'template_update.py');
    const text = await fs.readFile(script, 'utf8');
    const anchor = 'from __future__ import annotations\n';
    expect(text).toContain(anchor);
    await fs.writeFile(script, text.replace(anchor, `${anchor}${plant('crate-script')}\n`));
    // Modules that would shadow copier's and PyYAML's from the working directory.
    await fs.writeFile(path.join(crate, 'copier.py'), `${plant('copier-py')}\n`);
    await fs.writeFile(path.join(crate, 'yaml.py'), `${plant('yaml-py')}\n`);
    // A build script: it runs only if anything builds the crate.
    await fs.writeFile(
      path.join(crate, 'build.rs'),
      `fn main() { std::fs::write(${JSON.stringify(path.join(markers, 'build-rs'))}, "").unwrap(); }\n`,
    );
    const ctx = actionContext({}, crate);
    await createCopierUpdateAction({ config: moduleConfig() }).handler(ctx);

    expect(await fs.readdir(markers)).toEqual([]);
    expect(outputs(ctx)).toMatchObject({ result: 'updated', fromVersion: previous, toVersion: upcoming, conflicts: [] });
    const answers = parse(await fs.readFile(path.join(crate, '.copier-answers.yml'), 'utf8'));
    expect(String(answers._commit)).toBe(upcoming);
    // The team's edits stay (the pull request shows them to a reviewer; nothing ran them).
    expect(await fs.readFile(script, 'utf8')).toContain(plant('crate-script'));
  });

  it('refuses gates in the backend', async () => {
    const ctx = actionContext({ runGates: true }, tempDir('workspace-'));

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      'runGates is no longer supported',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('refuses a release older than the update script', async () => {
    const crate = await answersOnly('0.1.0');
    const ctx = actionContext({ version: '0.1.0' }, crate);

    await expect(createCopierUpdateAction({ config: moduleConfig() }).handler(ctx)).rejects.toThrow(
      'template release 0.1.0 has no template/scripts/template_update.py (it came with 0.2.0)',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('runs no template outside the allow-list', async () => {
    const crate = await answersOnly(previous);
    const ctx = actionContext({}, crate);

    await expect(
      createCopierUpdateAction({ config: moduleConfig(['https://example.org/other-template']) }).handler(ctx),
    ).rejects.toThrow(`template ${template} is not in scaffolder.copier.allowedTemplates`);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
