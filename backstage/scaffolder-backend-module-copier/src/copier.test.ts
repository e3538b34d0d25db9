import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './copier';
import { tempDir } from './testing';

/** Whether `pid` is a live process (a zombie, killed but not yet reaped, is not). */
function alive(pid: number): boolean {
  const stat = path.join('/proc', String(pid), 'stat');
  if (!existsSync(stat)) return false;
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Poll `done` every 50 ms, up to `ms`; true once it holds. */
async function eventually(done: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise(r => setTimeout(r, 50))) {
    if (done()) return true;
  }
  return done();
}

/** The pid a shell wrote to `file` once the file holds a whole line. */
async function pidIn(file: string): Promise<number> {
  expect(await eventually(() => existsSync(file) && readFileSync(file, 'utf8').endsWith('\n'))).toBe(true);
  return Number(readFileSync(file, 'utf8').trim());
}

describe('runCommand', () => {
  it("ends the command's whole process group when the task is cancelled", async () => {
    const pidFile = path.join(tempDir('group-'), 'pid');
    const controller = new AbortController();
    const running = runCommand('sh', ['-c', `sleep 600 & echo $! > '${pidFile}'; wait`], {
      signal: controller.signal,
    });
    const grandchild = await pidIn(pidFile);
    expect(alive(grandchild)).toBe(true);
    controller.abort();
    await expect(running).rejects.toThrow();
    expect(await eventually(() => !alive(grandchild))).toBe(true);
  });

  // Without the group kill the command's pipes stay open until `sleep` ends: ten minutes, past
  // this test's one-minute timeout.
  it('ends what a finished command left running in its group', async () => {
    const pidFile = path.join(tempDir('group-'), 'pid');
    const done = await runCommand('sh', ['-c', `sleep 600 & echo $! > '${pidFile}'; echo started`]);
    expect(done.stdout).toBe('started\n');
    expect(await eventually(() => !alive(Number(readFileSync(pidFile, 'utf8').trim())))).toBe(true);
  }, 60_000);

  it('refuses to start under a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runCommand('true', [], { signal: controller.signal })).rejects.toThrow();
  });
});
