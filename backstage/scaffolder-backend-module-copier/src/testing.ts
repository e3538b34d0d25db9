// What the tests run against, prepared by tests/test_backstage_module.py (the template's pytest
// suite): a git clone of this template with every release tagged and the work tree tagged as the
// upcoming release, the Python copier is installed in, and a PATH where git and cargo are the
// real ones. A missing fixture fails the test: nothing is skipped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';

type Fixture = 'COPIER_TEMPLATE' | 'COPIER_UPCOMING' | 'COPIER_PREVIOUS' | 'COPIER_PYTHON';

/** The fixture the test suite set in the environment; throws when it is missing. */
export function fixture(name: Fixture): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run these tests through the template's suite (pytest tests/test_backstage_module.py)`,
    );
  }
  return value;
}

/** Run a command to completion and return its stdout; throws (with stderr) when it fails. */
export function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** app-config allowing the fixture template, with the suite's Python for copier. */
export function moduleConfig(allowed: string[] = [fixture('COPIER_TEMPLATE')]): ConfigReader {
  return new ConfigReader({ scaffolder: { copier: { allowedTemplates: allowed, python: fixture('COPIER_PYTHON') } } });
}

/** A fresh empty directory under the system's temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A scaffolder action context for `input` on `workspacePath`. Its temporary directories are
 * siblings of the workspace, as the task runner makes them (the mock's default hands out the
 * workspace itself).
 */
export function actionContext<TInput extends JsonObject>(input: TInput, workspacePath: string) {
  return {
    ...createMockActionContext({ input, workspacePath }),
    createTemporaryDirectory: async () => mkdtempSync(`${workspacePath}_step-`),
  };
}

/** Every file under `dir`, relative, sorted (no `.git`). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(entry => entry.isFile() && !path.relative(dir, entry.parentPath).split(path.sep).includes('.git'))
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
