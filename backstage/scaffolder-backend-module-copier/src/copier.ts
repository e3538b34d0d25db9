// What both actions share: the app-config keys, the allow-list, copier's releases, and running a
// command with its output in the task log and its last error line kept for the failure message.
import { spawn } from 'node:child_process';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';

/** A release tag as copier and the template's scripts read it: `X.Y.Z`, optionally `v`-prefixed. */
export const RELEASE_TAG = /^v?(\d+)\.(\d+)\.(\d+)$/;

/** The module's settings, from app-config `scaffolder.copier` (see the README). */
export interface CopierSettings {
  /** Template URLs the actions may run (copier runs them with `--trust`: their code runs here). */
  allowedTemplates: string[];
  /** The Python copier is installed in; copier runs as `<python> -m copier`. */
  python: string;
}

/** Read `scaffolder.copier` from app-config; `allowedTemplates` is required. */
export function readSettings(config: Config): CopierSettings {
  return {
    allowedTemplates: config.getStringArray('scaffolder.copier.allowedTemplates').map(normalizeUrl),
    python: config.getOptionalString('scaffolder.copier.python') ?? 'python3',
  };
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\.git$/, '');
}

/**
 * Refuse a template that is not on the allow-list.
 *
 * @throws NotAllowedError naming the URL and the app-config key.
 */
export function assertAllowed(settings: CopierSettings, url: string): void {
  if (!settings.allowedTemplates.includes(normalizeUrl(url))) {
    throw new NotAllowedError(
      `template ${url} is not in scaffolder.copier.allowedTemplates: copier runs templates with --trust, ` +
        'so only templates an admin listed may run',
    );
  }
}

/** Compare two release tags by their numbers (0.10.0 after 0.9.0). */
export function compareReleases(a: string, b: string): number {
  const [x, y] = [a, b].map(tag => tag.match(RELEASE_TAG)!.slice(1).map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/**
 * The template's releases (its `X.Y.Z` tags, oldest first), read with `git ls-remote`.
 *
 * @throws Error when git cannot read the repository.
 */
export async function listReleases(url: string, signal?: AbortSignal): Promise<string[]> {
  // Never wait for a password: a template git cannot read is an error, not a hung task.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const { stdout } = await runCommand('git', ['ls-remote', '--tags', '--refs', '--', url], { env, signal });
  return stdout
    .split('\n')
    .map(line => line.split('\trefs/tags/')[1])
    .filter((tag): tag is string => tag !== undefined && RELEASE_TAG.test(tag))
    .sort(compareReleases);
}

/**
 * The release to use: `requested` if it is one, else the newest.
 *
 * @throws InputError when `requested` is not a release, or the template has none.
 */
export function chooseRelease(url: string, releases: string[], requested?: string): string {
  if (releases.length === 0) {
    throw new InputError(`template ${url} has no release tags (X.Y.Z)`);
  }
  if (!requested) {
    return releases[releases.length - 1];
  }
  if (!releases.includes(requested)) {
    throw new InputError(
      `template version '${requested}' is not a release of ${url} (releases: ${releases.join(', ')})`,
    );
  }
  return requested;
}

/** What a finished command printed, and how it exited. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How long a cancelled command's process group has between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 5000;

/** Signal every process of the group `pgid` leads, if any is left. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone
  }
}

/**
 * Run a command to completion. Its output goes to `logger` line by line as it comes.
 *
 * The command leads a process group of its own: when `signal` aborts (a cancelled task), the
 * whole group gets SIGTERM, and SIGKILL once the command has exited (or after a grace period if
 * it has not), so copier's git and Python children end with it; whatever the command leaves
 * running in its group is killed when it exits.
 *
 * @param check - throw when the command exits non-zero (default true).
 * @throws Error whose message is the command's last stderr line, when `check` and it fails;
 *   the signal's reason (an AbortError) when it aborts.
 */
export function runCommand(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    logger?: LoggerService;
    signal?: AbortSignal;
    check?: boolean;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // a process group of its own, killed as one
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killer: NodeJS.Timeout | undefined;
    const abort = () => {
      const pid = child.pid;
      if (pid === undefined) return;
      signalGroup(pid, 'SIGTERM');
      killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      killer.unref();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const log = (chunk: Buffer) =>
      chunk
        .toString('utf8')
        .split('\n')
        .filter(line => line.trim())
        .forEach(line => options.logger?.info(line));
    child.stdout.on('data', (chunk: Buffer) => (out.push(chunk), log(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (err.push(chunk), log(chunk)));
    child.on('error', error => {
      options.signal?.removeEventListener('abort', abort);
      reject(error);
    });
    // What the command left running in its group would hold its pipes open: end it with it.
    child.on('exit', () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    });
    child.on('close', code => {
      options.signal?.removeEventListener('abort', abort);
      clearTimeout(killer);
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      const result = {
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.code !== 0 && options.check !== false) {
        reject(new Error(lastLine(result.stderr) || `${command} ${args[0] ?? ''} exited ${result.code}`));
      } else {
        resolve(result);
      }
    });
  });
}

/** The last non-empty line of a command's output: where copier and the scripts put their reason. */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
