/**
 * scripts/build.mjs and the package bin that uses it, on a tiny project of their own in a
 * temporary directory: the bundles are built when missing, left alone while their sources are
 * unchanged, rebuilt (once, whoever asks at the same time) after an edit, and a source that
 * does not compile fails the run, not the install.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function node(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

// A few node processes and esbuild builds each: seconds, more on a busy machine.
describe('scripts/build.mjs', { timeout: 120_000 }, () => {
  let dir: string;
  // A file modified within a few milliseconds of a build counts as changed during it (and is
  // rebuilt at the next check): let each edit age a little first.
  const write = async (file: string, text: string) => {
    await writeFile(path.join(dir, file), text);
    await new Promise((resolve) => setTimeout(resolve, 100));
  };
  const build = (...args: string[]) => node(dir, 'scripts/build.mjs', ...args);
  const sportello = (...args: string[]) => node(dir, 'bin/sportello.mjs', ...args);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sportello-build-'));
    for (const sub of ['app', 'bin', 'scripts']) await mkdir(path.join(dir, sub));
    await cp(path.join(ROOT, 'scripts', 'build.mjs'), path.join(dir, 'scripts', 'build.mjs'));
    await cp(path.join(ROOT, 'bin', 'sportello.mjs'), path.join(dir, 'bin', 'sportello.mjs'));
    await cp(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    await write('package.json', '{ "type": "module" }\n');
    await write('package-lock.json', '{}\n');
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    // The CLI imports its command lazily (a chunk of its own) and a bundled package (zod).
    await write('app/cli.ts', "const { run } = await import('./command.ts');\nrun(process.argv.slice(2));\n");
    await write(
      'app/command.ts',
      "import { word } from './word.ts';\nexport function run(args: string[]): void {\n  console.log(`${word} ${args.join(' ')}`);\n}\n",
    );
    await write('app/word.ts', "export const word: string = 'ciao';\n");
    await write('app/main.ts', "import { z } from 'zod';\nconsole.log(z.string().parse('main'));\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds what is missing, then nothing until a source changes', async () => {
    const first = await build('--if-stale');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^built dist\/cli\.mjs \(not built yet\)$/m);
    expect(first.stderr).toMatch(/^built dist\/main\.mjs \(not built yet\)$/m);
    expect(await node(dir, 'dist/main.mjs')).toMatchObject({ code: 0, stdout: 'main\n' });
    // npm packages other than the few bundled ones stay imports of node_modules.
    const main = await readFile(path.join(dir, 'dist', 'main.mjs'), 'utf8');
    expect(main).not.toMatch(/from "zod"/);

    const again = await build('--if-stale');
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(await sportello('a', 'b')).toEqual({ code: 0, stdout: 'ciao a b\n', stderr: '' });
  });

  it('rebuilds the bundle whose source changed, once, when several processes ask at once', async () => {
    await build('--if-stale');
    await write('app/word.ts', "export const word: string = 'salve';\n");
    const runs = await Promise.all([
      build('--if-stale', 'cli'),
      build('--if-stale', 'cli'),
      build('--if-stale', 'cli'),
      build('--if-stale', 'cli'),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(
      runs
        .map((r) => r.stderr)
        .join('')
        .match(/^built dist\/cli\.mjs \(app\/word\.ts changed\)$/gm),
    ).toHaveLength(1);
    expect(await sportello('x')).toEqual({ code: 0, stdout: 'salve x\n', stderr: '' });
    // main.ts does not include word.ts: its bundle is still current.
    expect(await build('--if-stale')).toMatchObject({ code: 0, stderr: '' });
  });

  it('lets the package bin rebuild by itself after an edit', async () => {
    await write('app/word.ts', "export const word: string = 'buongiorno';\n");
    expect(await sportello('y')).toEqual({ code: 0, stdout: 'buongiorno y\n', stderr: '' });
    expect(await build('--if-stale')).toMatchObject({ code: 0, stderr: '' });
  });

  it('fails the run on a source that does not compile, but not the install', async () => {
    await write('app/word.ts', "export const word: string = 'rotto;\n");
    const run = await sportello('z');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('app/word.ts');
    expect(run.stderr).toMatch(/sportello: cannot build .*dist\/cli\.mjs/);
    const install = await build('--install');
    expect(install.code).toBe(0);
    expect(install.stderr).toContain('sportello build failed');
    expect(await build()).toMatchObject({ code: 1 });

    await write('app/word.ts', "export const word: string = 'di nuovo';\n");
    expect(await sportello('z')).toEqual({ code: 0, stdout: 'di nuovo z\n', stderr: '' });
  });
});
