import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { assertAllowed, chooseRelease, listReleases, readSettings, runCommand } from '../copier';

/**
 * `copier:copy`: render a copier template at one of its releases into the task's workspace.
 *
 * copier runs with `--trust --defaults` and the answers as a data file, so every question gets
 * the given answer or its default, and copier's own checks refuse a bad answer in one line, which
 * becomes the task's error. The crate is rendered into a temporary directory and moved into the
 * workspace only when copier succeeded: a failed task leaves the workspace as it was.
 */
export function createCopierCopyAction(options: { config: Config }) {
  const settings = readSettings(options.config);
  return createTemplateAction({
    id: 'copier:copy',
    description: 'Renders a copier template (on the allow-list) at a release into the workspace',
    schema: {
      input: {
        url: z => z.string().describe('Template repository URL (must be in scaffolder.copier.allowedTemplates)'),
        version: z =>
          z.string().optional().describe('Template release (X.Y.Z tag); empty or absent: the newest release'),
        answers: z =>
          z
            .record(z.string(), z.union([z.string(), z.boolean(), z.number(), z.array(z.string())]))
            .describe("Answers to the template's questions, by question name"),
        targetPath: z =>
          z.string().optional().describe('Workspace directory to render into (must be empty); default: the workspace'),
      },
      output: {
        version: z => z.string().describe('The template release rendered'),
        targetPath: z => z.string().describe('Where the crate was rendered, relative to the workspace'),
      },
    },
    async handler(ctx) {
      const { url, answers } = ctx.input;
      assertAllowed(settings, url);
      const version = chooseRelease(url, await listReleases(url, ctx.signal), ctx.input.version?.trim());
      const targetPath = ctx.input.targetPath ?? '.';
      const target = resolveSafeChildPath(ctx.workspacePath, targetPath);
      const existing = await fs.readdir(target).catch(() => []);
      if (existing.length > 0) {
        throw new InputError(`${targetPath} in the workspace is not empty (${existing.slice(0, 3).join(', ')}…)`);
      }

      const scratch = await ctx.createTemporaryDirectory();
      const dataFile = path.join(scratch, 'answers.json');
      const rendered = path.join(scratch, 'crate');
      await fs.writeFile(dataFile, JSON.stringify(answers));
      ctx.logger.info(`copier copy ${url} at ${version}`);
      await runCommand(
        settings.python,
        ['-m', 'copier', 'copy', '--trust', '--defaults', '--quiet', '--vcs-ref', version, '--data-file', dataFile, url, rendered],
        { logger: ctx.logger, signal: ctx.signal },
      );

      await fs.mkdir(target, { recursive: true });
      for (const name of await fs.readdir(rendered)) {
        await fs.cp(path.join(rendered, name), path.join(target, name), { recursive: true });
      }
      ctx.output('version', version);
      ctx.output('targetPath', targetPath);
    },
  });
}
