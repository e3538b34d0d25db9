import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parse } from 'yaml';
import { assertAllowed, chooseRelease, lastLine, listReleases, readSettings, runCommand } from '../copier';

/** What `scripts/template_update.py` prints for each conflicted file (every release since 0.2.0). */
const CONFLICT_LINE = /^template-update: conflict in (.+)$/gm;
/** The script's exit codes (its docstring): 2 bad input, 3 conflicts (4, a failed gate, cannot happen: --no-gates). */
const BAD_INPUT = 2;
const CONFLICTS = 3;

/**
 * `copier:update`: update a crate in the workspace to a template release, and return what
 * `publish:github:pull-request` needs.
 *
 * The crate is data here, never code: the update runs the `template_update.py` of the
 * allow-listed template itself, at the target release (a shallow clone of the URL the crate's
 * `.copier-answers.yml` names, once it is on the allow-list), with `--no-gates`. Nothing the crate
 * holds runs in the backend: not its `scripts/`, not its `build.rs` or its dependencies' (no cargo
 * runs), not a Python module it could shadow (Python runs with `-P`). Gates 1-4 run in the crate's
 * own CI on the pull request.
 *
 * A workspace fetched by `fetch:plain` has no git repository: the action commits the files as
 * fetched first, since copier and the script need a clean git work tree. On conflicts the files
 * keep copier's markers; with `failOnConflict` (the default) the task then fails naming them,
 * otherwise it returns them with `draft: true`, for a draft pull request a person resolves.
 */
export function createCopierUpdateAction(options: { config: Config }) {
  const settings = readSettings(options.config);
  return createTemplateAction({
    id: 'copier:update',
    description: "Updates a crate to a template release with that release's template_update.py",
    schema: {
      input: {
        targetPath: z => z.string().optional().describe('The crate in the workspace; default: the workspace'),
        version: z =>
          z.string().optional().describe('Template release to update to; empty or absent: the newest'),
        runGates: z =>
          z
            .boolean()
            .optional()
            .describe('Removed: true fails the task (the backend runs no crate code; the crate CI runs the gates)'),
        failOnConflict: z =>
          z.boolean().optional().describe('Fail the task on conflicts (default); false: return them for a draft PR'),
      },
      output: {
        result: z => z.enum(['updated', 'up-to-date', 'conflicts']).describe('What the update did'),
        fromVersion: z => z.string().describe('The template version the crate recorded'),
        toVersion: z => z.string().describe('The release it was updated to'),
        branchName: z => z.string().describe('Branch for the pull request'),
        title: z => z.string().describe('Pull request title'),
        description: z => z.string().describe("Pull request body: the template's CHANGELOG between the versions"),
        draft: z => z.boolean().describe('Conflicts: open the pull request as a draft'),
        conflicts: z => z.array(z.string()).describe('Files left with conflict markers'),
        filesToDelete: z =>
          z.array(z.string()).describe("Files the update removed: publish:github:pull-request's filesToDelete"),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe("github.com?owner=…&repo=… from the crate's github.com/project-slug annotation"),
      },
    },
    async handler(ctx) {
      if (ctx.input.runGates) {
        throw new InputError(
          'runGates is no longer supported: gates 1-4 build the crate, which would run its build.rs and ' +
            "its dependencies' code in the backend; the crate's CI runs them on the pull request",
        );
      }
      const crate = resolveSafeChildPath(ctx.workspacePath, ctx.input.targetPath ?? '.');
      const answers = await fs.readFile(path.join(crate, '.copier-answers.yml'), 'utf8').catch(() => {
        throw new InputError(`${ctx.input.targetPath ?? '.'} holds no .copier-answers.yml: not a crate made with copier`);
      });
      const recorded = parse(answers) ?? {};
      const src = String(recorded._src_path ?? '');
      assertAllowed(settings, src);
      const target = chooseRelease(src, await listReleases(src, ctx.signal), ctx.input.version?.trim());

      // `-P`: Python never puts the working directory (the crate) on sys.path, so a crate's
      // copier.py or yaml.py cannot shadow the real ones.
      const env = {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'Backstage scaffolder',
        GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'scaffolder@backstage.invalid',
        GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'Backstage scaffolder',
        GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'scaffolder@backstage.invalid',
        COPIER: `${settings.python} -P -m copier`,
        CRATE_DIR: crate,
      };
      const git = (...args: string[]) => runCommand('git', args, { cwd: crate, env, signal: ctx.signal });
      const inside = await runCommand('git', ['rev-parse', '--show-toplevel'], { cwd: crate, check: false });
      if (inside.code !== 0 || path.resolve(inside.stdout.trim()) !== path.resolve(crate)) {
        await git('init', '--quiet', '--initial-branch=main');
        await git('add', '--all');
        await git('commit', '--quiet', '--no-verify', '-m', 'the crate as fetched');
      }

      // The template's own update script, at the release the crate moves to.
      const scratch = await ctx.createTemporaryDirectory();
      const checkout = path.join(scratch, 'template');
      ctx.logger.info(`template_update.py of ${src} at ${target}`);
      await runCommand(
        'git',
        ['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth=1', `--branch=${target}`, '--', src, checkout],
        { env, signal: ctx.signal },
      );
      const script = path.join(checkout, 'template', 'scripts', 'template_update.py');
      if (!(await fs.stat(script).catch(() => undefined))?.isFile()) {
        throw new InputError(
          `template release ${target} has no template/scripts/template_update.py (it came with 0.2.0): ` +
            'update to a newer release',
        );
      }

      const before = (await git('rev-parse', 'HEAD')).stdout.trim();
      const body = path.join(scratch, 'body.md');
      const outputs = path.join(scratch, 'outputs');
      const run = await runCommand(settings.python, ['-P', script, '--body', body, '--to', target, '--no-gates'], {
        cwd: scratch,
        env: { ...env, GITHUB_OUTPUT: outputs },
        logger: ctx.logger,
        signal: ctx.signal,
        check: false,
      });
      if (![0, CONFLICTS].includes(run.code)) {
        const reason = lastLine(run.stderr) || `template_update.py exited ${run.code}`;
        throw run.code === BAD_INPUT ? new InputError(reason) : new Error(reason);
      }

      const written = Object.fromEntries(
        (await fs.readFile(outputs, 'utf8'))
          .split('\n')
          .filter(line => line.includes('='))
          .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      const conflicts = [...run.stderr.matchAll(CONFLICT_LINE)].map(match => match[1]);
      const result = written.result as 'updated' | 'up-to-date' | 'conflicts';
      ctx.output('result', result);
      ctx.output('fromVersion', written.from);
      ctx.output('toVersion', written.to);
      ctx.output('branchName', 'template-update'); // the crate's own workflow uses it too: one update PR at a time
      ctx.output('title', `Template update: ${written.from} to ${written.to}`);
      ctx.output('description', await fs.readFile(body, 'utf8').catch(() => ''));
      ctx.output('draft', conflicts.length > 0);
      ctx.output('conflicts', conflicts);
      // publish:github:pull-request sends the files it finds; a file the update removed (a
      // release drops or moves files) must be named to leave the branch too.
      const deleted = await git('diff', '--name-only', '--relative', '--no-renames', '--diff-filter=D', before);
      ctx.output('filesToDelete', deleted.stdout.split('\n').filter(Boolean));
      const repoUrl = await githubRepoUrl(git, before);
      if (repoUrl) ctx.output('repoUrl', repoUrl);
      if (conflicts.length > 0 && ctx.input.failOnConflict !== false) {
        throw new Error(
          `the update to ${written.to} conflicts in ${conflicts.length} file(s): ${conflicts.join(', ')}`,
        );
      }
    },
  });
}

/**
 * `github.com?owner=…&repo=…` from the crate's catalog-info.yaml (`github.com/project-slug`) as
 * fetched (commit `before`): the updated file may hold conflict markers.
 */
async function githubRepoUrl(
  git: (...args: string[]) => Promise<{ stdout: string }>,
  before: string,
): Promise<string | undefined> {
  let slug: unknown;
  try {
    const catalog = (await git('show', `${before}:catalog-info.yaml`)).stdout;
    slug = parse(catalog)?.metadata?.annotations?.['github.com/project-slug'];
  } catch {
    return undefined; // no catalog entry, or not YAML: the Template must give repoUrl itself
  }
  const [owner, repo] = typeof slug === 'string' ? slug.split('/') : [];
  return owner && repo ? `github.com?owner=${owner}&repo=${repo}` : undefined;
}
