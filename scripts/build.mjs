// The build of the server and the CLI: esbuild bundles app/main.ts (`npm start`) and app/cli.ts
// (`sportello …`, `sportello worker`) into plain ES modules under dist/, so that no TypeScript
// loader runs at every start. Plain JavaScript on purpose: it runs before anything is built.
//
//   node scripts/build.mjs                    build both now (`npm run build`; `npm install` and `npm test` run it)
//   node scripts/build.mjs --if-stale [main]  build those (or that one) whose sources changed since the last build
//   node scripts/build.mjs --install          as `npm install` runs it: a failure is reported, not fatal
//                                             (the install stays usable; the next run rebuilds and shows it)
//
// bin/sportello.mjs and `npm start` call ensureBuilt() first, so a fresh clone, an edited source
// file or an install that skipped scripts never runs an out-of-date bundle. The check is cheap:
// dist/<entry>.build.json lists every source file that went into that bundle with its mtime and
// size, and checking is one stat() per file (a few milliseconds); esbuild is loaded only to
// build. Each entry is its own build with its own list, so an edit to a chat adapter does not
// rebuild the CLI, and a file that does not compile breaks only the bundles that include it.
//
// npm packages stay external (node loads them from node_modules, as it would without a bundle:
// some read files next to their own code, e.g. BullMQ's Lua scripts), except the few listed in
// BUNDLED: pure JavaScript without dependencies whose hundreds of small ES module files cost
// node more to load one by one than the rest of a command's work. Code splitting turns each
// dynamic import() into a chunk of its own, so a command loads only the modules it needs.
//
// Concurrency: several processes may find a bundle stale at once (parallel commands). Builds
// take a lock file, so one builds and the others wait for it and use its result; every file is
// written under a temporary name and renamed, and chunks carry a hash of their content in their
// name, so a process loading the previous build (or a server still running it) never reads a
// half-written or mismatched file. Chunks that no build names are removed after an hour.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DIST = path.join(ROOT, 'dist');
/** The entries: the name of the bundle in dist/ (`<name>.mjs`) → its source. */
export const ENTRIES = { cli: 'app/cli.ts', main: 'app/main.ts' };
const LOCK = path.join(DIST, '.build.lock');
/** Bumped when the layout of dist/ changes: an older build is then rebuilt. */
const FORMAT = 1;
/** Files that shape every bundle without being part of it. */
const BUILD_FILES = ['scripts/build.mjs', 'tsconfig.json'];
/** npm packages bundled rather than loaded from node_modules (see above). */
const BUNDLED = new Set(['kysely', 'zod']);
const LOCK_STALE_MS = 120_000;
const CHUNK_KEEP_MS = 3_600_000;

/** The path of an entry's bundle, e.g. `bundlePath('cli')` → `<root>/dist/cli.mjs`. */
export function bundlePath(name) {
  return path.join(DIST, `${name}.mjs`);
}

const manifestPath = (name) => path.join(DIST, `${name}.build.json`);

function readManifest(name) {
  try {
    return JSON.parse(readFileSync(manifestPath(name), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why the bundle `name` must be rebuilt, or undefined when it is up to date. */
export function staleReason(name) {
  const manifest = readManifest(name);
  if (!manifest) return 'not built yet';
  if (manifest.format !== FORMAT || typeof manifest.inputs !== 'object' || !Array.isArray(manifest.outputs))
    return 'built by an older build script';
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    const st = statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    if (!st) return `${file} is gone`;
    if (!Array.isArray(recorded) || st.mtimeMs !== recorded[0] || st.size !== recorded[1]) return `${file} changed`;
  }
  for (const file of manifest.outputs) if (!statSync(path.join(DIST, file), { throwIfNoEntry: false })) return `dist/${file} is missing`;
  return undefined;
}

/** The mtime and size of each file; a null mtime for one that changed during the build. */
function fingerprint(files, since) {
  const inputs = {};
  for (const file of [...files].sort()) {
    const st = statSync(path.join(ROOT, file));
    // Modified while esbuild was reading it: the bundle may hold either version, so the next
    // check must find it stale.
    inputs[file] = [st.mtimeMs >= since ? null : st.mtimeMs, st.size];
  }
  return inputs;
}

function writeAtomically(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Every bare import (an npm package, a node built-in) is external, but those of BUNDLED. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const parts = args.path.split('/');
      const pkg = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      return BUNDLED.has(pkg) ? undefined : { path: args.path, external: true };
    });
  },
};

/** Bundles one entry into dist/ and writes its manifest. Throws on a build error (esbuild has printed the messages). */
async function bundle(name, logLevel) {
  const { build } = await import('esbuild');
  // A file's mtime comes from the kernel's coarse clock, up to a tick (a few milliseconds)
  // behind Date.now(): anything modified from a little before this moment on counts as changed
  // during the build.
  const since = Date.now() - 20;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: ENTRIES[name], out: name }],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalPackages],
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    // Not minified: stack traces keep the functions' names, and `node --enable-source-maps`
    // maps them back to the TypeScript lines.
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel,
  });
  const entry = bundlePath(name);
  const isEntry = (f) => f.path === entry || f.path === `${entry}.map`;
  // Chunks first, then the entry that imports them, then the manifest that names them all.
  for (const f of result.outputFiles.filter((o) => !isEntry(o))) writeAtomically(f.path, f.contents);
  for (const f of result.outputFiles.filter(isEntry)) writeAtomically(f.path, f.contents);
  // The project's own files; a bundled package changes only with package-lock.json.
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.split('/').includes('node_modules') && !f.includes(':'));
  if (sources.length !== Object.keys(result.metafile.inputs).length) sources.push('package-lock.json');
  const manifest = {
    format: FORMAT,
    builtAt: new Date().toISOString(),
    inputs: fingerprint([...sources, ...BUILD_FILES], since),
    outputs: result.outputFiles.map((f) => path.relative(DIST, f.path)),
  };
  writeAtomically(manifestPath(name), `${JSON.stringify(manifest)}\n`);
}

/** Removes the chunks that no current build names, once they are an hour old (a running process may still load them). */
function pruneChunks() {
  const keep = new Set(Object.keys(ENTRIES).flatMap((name) => readManifest(name)?.outputs ?? []));
  const dir = path.join(DIST, 'chunks');
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const file of names.map((n) => `chunks/${n}`)) {
    if (keep.has(file)) continue;
    const st = statSync(path.join(DIST, file), { throwIfNoEntry: false });
    if (st && now - st.mtimeMs > CHUNK_KEEP_MS) rmSync(path.join(DIST, file), { force: true });
  }
}

/** True while a live process holds the lock (a lock older than two minutes is a dead one's). */
function lockHeld() {
  try {
    if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) return false;
    const pid = Number(readFileSync(LOCK, 'utf8'));
    if (pid > 0) process.kill(pid, 0); // throws ESRCH when that process is gone
    return true;
  } catch (err) {
    return err?.code === 'EPERM'; // alive, another user's
  }
}

/** Runs `work` holding dist/.build.lock, waiting while another process holds it. */
async function withLock(work) {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    let fd;
    try {
      fd = openSync(LOCK, 'wx');
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // Left by a process that died while building: take it over.
      if (!lockHeld()) rmSync(LOCK, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    try {
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return await work();
    } finally {
      rmSync(LOCK, { force: true });
    }
  }
}

/**
 * Makes sure dist/ holds bundles of the current sources for `names`: builds those whose
 * sources changed (or that were never built), or every one of them with `force`. Waits for a
 * build another process is running, then uses it. Resolves with why each was built (empty
 * when all were up to date).
 */
export async function ensureBuilt(names = Object.keys(ENTRIES), { force = false, logLevel = 'error' } = {}) {
  const stale = (list) => list.map((name) => [name, force ? 'asked' : staleReason(name)]).filter(([, reason]) => reason);
  if (stale(names).length === 0) return [];
  return withLock(async () => {
    // Another process may have built them while we waited for the lock.
    const todo = stale(names);
    // Side by side in one esbuild process; one that fails does not stop the other.
    const results = await Promise.allSettled(todo.map(([name]) => bundle(name, logLevel)));
    if (todo.length) pruneChunks();
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return todo;
  });
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const started = performance.now();
  try {
    const args = process.argv.slice(2);
    const names = args.filter((a) => !a.startsWith('--'));
    const unknown = names.filter((n) => !(n in ENTRIES));
    if (unknown.length) throw new Error(`unknown entry ${unknown.join(', ')} (entries: ${Object.keys(ENTRIES).join(', ')})`);
    const built = await ensureBuilt(names.length ? names : undefined, { force: !args.includes('--if-stale'), logLevel: 'warning' });
    for (const [name, reason] of built) process.stderr.write(`built dist/${name}.mjs (${reason})\n`);
    if (built.length) process.stderr.write(`sportello build: ${Math.round(performance.now() - started)} ms\n`);
  } catch (err) {
    // esbuild has printed its messages already.
    process.stderr.write(`sportello build failed${err?.errors ? '' : `: ${err?.message ?? err}`}\n`);
    if (process.argv.includes('--install'))
      process.stderr.write('sportello build: `sportello` and `npm start` will build dist/ when they run\n');
    else process.exitCode = 1;
  }
}
