#!/usr/bin/env -S UV_THREADPOOL_SIZE=1 node --jitless --no-expose-wasm --max-semi-space-size=1 --single-threaded --expose-gc
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
// (UV_THREADPOOL_SIZE). --expose-gc lets the agent collect its garbage when a cycle ends and
// before the first one (agent/gc.ts). The line stays under 127 characters, the limit of older kernels.
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
/** FNV-1a of the checkout's path: one bundle per checkout, should several share the cache directory. */
function hashOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
const bundle = path.join(cacheDir, `sportello-agent-${hashOf(root)}.cjs`);
const meta = path.join(cacheDir, `sportello-agent-${hashOf(root)}.meta.json`);

const mtimeOf = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};

/**
 * The bundle is reused only if it was built from this checkout (a cache under the temporary
 * directory, or a node_modules shared by symlink, may hold another's) and every source file it
 * was built from, and this file, still has the modification time it had then.
 */
function stale() {
  if (!existsSync(bundle) || !existsSync(meta)) return true;
  let m;
  try {
    m = JSON.parse(readFileSync(meta, 'utf8'));
  } catch {
    return true;
  }
  if (m.root !== root || m.bin !== mtimeOf(__filename) || !m.inputs || typeof m.inputs !== 'object') return true;
  return Object.entries(m.inputs).some(([input, mtime]) => mtimeOf(path.resolve(root, input)) !== mtime);
}

function build() {
  // Loaded only to build: the running agent does not carry child_process.
  const { execFileSync } = require('node:child_process');
  const startedAt = Date.now();
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
      // Read by agent/yaml-lite.ts; the package only for a configuration beyond it (loaded below).
      '--external:yaml',
      '--log-level=warning',
      `--outfile=${tmp}`,
      `--metafile=${tmpMeta}`,
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // Keep the source files and their modification times: that is all `stale()` reads at every start.
  // A file changed while the bundle was being built is recorded as unknown: the next start rebuilds.
  // (A time ahead of the clock, say from an archive, is not a change during the build.)
  const endedAt = Date.now();
  const inputs = {};
  for (const input of Object.keys(JSON.parse(readFileSync(tmpMeta, 'utf8')).inputs ?? {})) {
    const mtime = mtimeOf(path.resolve(root, input));
    inputs[input] = mtime >= startedAt && mtime <= endedAt ? -2 : mtime;
  }
  writeFileSync(tmpMeta, JSON.stringify({ root, bin: mtimeOf(__filename), inputs }));
  // The bundle first: a start between the two renames sees the old list and builds again, harmlessly.
  renameSync(tmp, bundle);
  renameSync(tmpMeta, meta);
}

if (stale()) build();
// The `yaml` package, resolved from here (the bundle may live under the temporary directory).
globalThis[Symbol.for('sportello-agent.loadYaml')] = () => require('yaml');
require(bundle);
