#!/usr/bin/env -S UV_THREADPOOL_SIZE=1 node --jitless --no-expose-wasm --max-semi-space-size=1 --single-threaded
// Package bin of the monitoring agent. The agent is TypeScript (agent/main.ts); instead of a
// TypeScript loader at run time (tsx roughly doubles the memory of a small process), it is
// bundled once into one plain CommonJS file with esbuild (installed with tsx) and required here,
// in this same process. The bundle is rebuilt when any of its source files changed.
//
// CommonJS, this file and the bundle, on purpose: an ES module entry starts Node's ES module
// loader, about 1.8 MB of resident memory before the first line of the agent runs.
//
// The flags above keep the process small: an agent's short bursts of work every minute never
// profit from the optimising compiler (--jitless: about 7 MB less and less CPU per cycle; it
// needs WebAssembly off, which the agent does not use), a 1 MB young generation is plenty, and
// the agent needs no helper threads: V8's garbage collection and compilation run on the main
// thread (--single-threaded), and libuv's file-system pool has one thread instead of four
// (UV_THREADPOOL_SIZE). The line stays under 127 characters, the limit of older kernels.
// They apply when the file is run as a command (`sportello-agent …`, systemd's ExecStart);
// `node bin/sportello-agent.cjs …` works too, without them.
'use strict';
const { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.dirname(__dirname);
const entry = path.join(root, 'agent', 'main.ts');

function writableDir(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * A cache under the shared temporary directory must be ours alone: another local user could
 * otherwise plant a bundle there and have the agent run it (with access to its secret). So it
 * is created 0700, and used only if it is a real directory owned by us that nobody else can write.
 */
function privateTmpDir(dir) {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (err.code !== 'EEXIST') return undefined;
  }
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || st.isSymbolicLink() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new Error(`refusing the agent cache ${dir}: not a private directory of this user`);
  }
  return dir;
}

const cacheDir =
  writableDir(path.join(root, 'node_modules', '.cache', 'sportello-agent')) ??
  privateTmpDir(path.join(os.tmpdir(), `sportello-agent-${os.userInfo().uid}`));
const bundle = path.join(cacheDir, 'sportello-agent.cjs');
const meta = path.join(cacheDir, 'sportello-agent.meta.json');

function stale() {
  if (!existsSync(bundle) || !existsSync(meta)) return true;
  const built = statSync(bundle).mtimeMs;
  if (statSync(__filename).mtimeMs > built) return true;
  const { inputs } = JSON.parse(readFileSync(meta, 'utf8'));
  return (
    !Array.isArray(inputs) ||
    inputs.some((input) => {
      const file = path.resolve(root, input);
      return !existsSync(file) || statSync(file).mtimeMs > built;
    })
  );
}

function build() {
  // Loaded only to build: the running agent does not carry child_process.
  const { execFileSync } = require('node:child_process');
  const tmp = `${bundle}.${process.pid}.tmp`;
  const tmpMeta = `${meta}.${process.pid}.tmp`;
  execFileSync(
    require.resolve('esbuild/bin/esbuild'),
    [
      entry,
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--target=node20',
      '--minify',
      '--log-level=warning',
      `--outfile=${tmp}`,
      `--metafile=${tmpMeta}`,
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // Keep only the list of source files: that is all `stale()` reads at every start.
  const inputs = Object.keys(JSON.parse(readFileSync(tmpMeta, 'utf8')).inputs ?? {});
  writeFileSync(tmpMeta, JSON.stringify({ inputs }));
  renameSync(tmpMeta, meta);
  renameSync(tmp, bundle);
}

if (stale()) build();
require(bundle);
