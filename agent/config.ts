/**
 * The agent's configuration file (YAML or JSON): where to keep its state, how often to check,
 * and the checks with their thresholds. Validated by hand (no schema library: the agent stays
 * small) with one message per problem, naming the setting.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckKind } from '../core/alerts/protocol.ts';
import { parseYamlLite, Unsupported } from './yaml-lite.ts';

export interface Thresholds {
  readonly warn: number | null;
  readonly crit: number | null;
}

interface CheckBase {
  readonly id: string;
  readonly forSeconds: number;
  readonly recoverySeconds: number;
}

export type CheckConfig = CheckBase &
  (
    | ({ readonly kind: 'cpu' } & Thresholds)
    | ({ readonly kind: 'load'; readonly metric: 'load1' | 'load5' | 'load15' } & Thresholds)
    | ({ readonly kind: 'memory' } & Thresholds)
    | ({
        readonly kind: 'disk';
        readonly path: string;
        /** Free-space thresholds in bytes (lower is worse). */
        readonly warnFree: number | null;
        readonly critFree: number | null;
        /** Time-to-full forecast thresholds in seconds (lower is worse). */
        readonly fullWithinWarn: number | null;
        readonly fullWithinCrit: number | null;
        readonly forecastWindowSeconds: number;
      } & Thresholds)
    | {
        readonly kind: 'process';
        readonly name: string | null;
        readonly pattern: string | null;
        readonly min: number;
        readonly severity: 'warn' | 'crit';
      }
    | ({
        readonly kind: 'log';
        readonly path: string;
        readonly pattern: string;
        readonly windowSeconds: number;
        readonly fromStart: boolean;
      } & Thresholds)
    | {
        readonly kind: 'http';
        readonly url: string;
        readonly timeoutMs: number;
        readonly expect: readonly [number, number];
        readonly contains: string | null;
        readonly ca: string | null;
        readonly insecure: boolean;
        /** Certificate expiry thresholds in days (lower is worse); https only. */
        readonly tlsWarnDays: number;
        readonly tlsCritDays: number;
      }
    | ({ readonly kind: 'file_age'; readonly path: string } & Thresholds)
  );

export interface AgentConfig {
  /** The server base URL; `enroll --server` stores it in the credentials instead when absent. */
  readonly server: string | null;
  /** Extra CA certificate (PEM file) for a server with a private CA. */
  readonly serverCa: string | null;
  readonly stateDir: string;
  readonly intervalSeconds: number;
  readonly graceSeconds: number;
  readonly spool: { readonly maxBatches: number; readonly maxBytes: number };
  readonly checks: readonly CheckConfig[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "90s", "5m", "1h30m", "2d", or a number of seconds → seconds. */
export function parseSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
  return total;
}

/** "10GB", "512MiB", "2048" (bytes) → bytes. */
export function parseBytes(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1);
}

/**
 * Where the bin (bin/sportello-agent.cjs) puts a loader of the `yaml` package: the bundle leaves
 * the package out (its source would stay in memory for nothing), and loads it, from where the
 * bin finds it, only for a file ./yaml-lite.ts does not read.
 */
const YAML_LOADER = Symbol.for('sportello-agent.loadYaml');

type YamlParser = { parse(text: string): unknown };

/** YAML: the common subset read here; the rest by the `yaml` package, loaded only then. */
async function parseYaml(text: string): Promise<unknown> {
  try {
    return parseYamlLite(text);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
  }
  const load = (globalThis as { [YAML_LOADER]?: () => YamlParser })[YAML_LOADER];
  return (load ? load() : await import('yaml')).parse(text);
}

/** Reads, parses and validates a configuration file: JSON (a `.json` file) or YAML. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : await parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${file}: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return validateConfig(raw, path.dirname(path.resolve(file)));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed configuration; relative paths are taken from `baseDir` (the file's folder). */
export function validateConfig(raw: unknown, baseDir: string): AgentConfig {
  const problems: string[] = [];
  const root: Obj = isObj(raw) ? raw : (problems.push('the file must hold a mapping (key: value)'), {});

  const seconds = (o: Obj, key: string, where: string, fallback: number): number => {
    if (o[key] === undefined) return fallback;
    const s = parseSeconds(o[key]);
    if (s === undefined) {
      problems.push(`${where}${key}: must be a duration such as 30s, 5m, 2h or 1d`);
      return fallback;
    }
    return s;
  };
  const num = (o: Obj, key: string, where: string, opts: { min?: number; required?: boolean } = {}): number | null => {
    const v = o[key];
    if (v === undefined || v === null) {
      if (opts.required) problems.push(`${where}${key}: is required`);
      return null;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < (opts.min ?? -Infinity)) {
      problems.push(`${where}${key}: must be a number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`);
      return null;
    }
    return v;
  };
  const str = (o: Obj, key: string, where: string, required: boolean): string | null => {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) problems.push(`${where}${key}: is required`);
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`${where}${key}: must be a non-empty string`);
      return null;
    }
    return v;
  };
  const file = (o: Obj, key: string, where: string, required: boolean): string | null => {
    const v = str(o, key, where, required);
    return v === null ? null : path.resolve(baseDir, v);
  };
  const bytes = (o: Obj, key: string, where: string): number | null => {
    if (o[key] === undefined || o[key] === null) return null;
    const b = parseBytes(o[key]);
    if (b === undefined) problems.push(`${where}${key}: must be a size such as 500MB or 10GiB`);
    return b ?? null;
  };
  const thresholds = (o: Obj, where: string, parse: 'number' | 'duration'): Thresholds => {
    const read = (key: 'warn' | 'crit') =>
      parse === 'number' ? num(o, key, where) : o[key] === undefined ? null : seconds(o, key, where, 0);
    const t = { warn: read('warn'), crit: read('crit') };
    if (t.warn === null && t.crit === null) problems.push(`${where}warn/crit: set at least one threshold`);
    return t;
  };

  const server = str(root, 'server', '', false);
  if (server && !/^https?:\/\/[^\s]+$/.test(server)) problems.push('server: must be an http(s):// URL');
  const intervalSeconds = seconds(root, 'interval', '', 60);
  if (intervalSeconds < 1) problems.push('interval: must be at least 1s');
  const graceSeconds = seconds(root, 'grace', '', Math.max(30, 2 * intervalSeconds));
  const defaults: Obj = isObj(root['defaults']) ? root['defaults'] : {};
  const defaultFor = seconds(defaults, 'for', 'defaults.', 5 * 60);
  const defaultRecovery = seconds(defaults, 'recovery', 'defaults.', 5 * 60);
  const spoolRaw: Obj = isObj(root['spool']) ? root['spool'] : {};
  const spool = {
    maxBatches: num(spoolRaw, 'maxBatches', 'spool.', { min: 1 }) ?? 1000,
    maxBytes: bytes(spoolRaw, 'maxBytes', 'spool.') ?? 5 * 1024 * 1024,
  };

  const checks: CheckConfig[] = [];
  const ids = new Set<string>();
  const list = root['checks'] ?? [];
  if (!Array.isArray(list)) problems.push('checks: must be a list');
  (Array.isArray(list) ? list : []).forEach((c: unknown, i) => {
    const where = `checks[${i}].`;
    if (!isObj(c)) return void problems.push(`checks[${i}]: must be a mapping`);
    const id = str(c, 'id', where, true) ?? `check-${i}`;
    if (!/^[\w.-]{1,64}$/.test(id)) problems.push(`${where}id: letters, digits, . _ - (at most 64)`);
    if (ids.has(id)) problems.push(`${where}id: "${id}" is used twice`);
    ids.add(id);
    const base = { id, forSeconds: seconds(c, 'for', where, defaultFor), recoverySeconds: seconds(c, 'recovery', where, defaultRecovery) };
    const kind = c['kind'] as CheckKind | undefined;
    switch (kind) {
      case 'cpu':
      case 'memory':
        checks.push({ ...base, kind, ...thresholds(c, where, 'number') });
        break;
      case 'load': {
        const metric = (c['metric'] ?? 'load5') as string;
        if (metric !== 'load1' && metric !== 'load5' && metric !== 'load15') problems.push(`${where}metric: load1, load5 or load15`);
        checks.push({ ...base, kind, metric: metric as 'load5', ...thresholds(c, where, 'number') });
        break;
      }
      case 'disk': {
        const t = { warn: num(c, 'warn', where), crit: num(c, 'crit', where) };
        const free = { warnFree: bytes(c, 'warnFree', where), critFree: bytes(c, 'critFree', where) };
        const within = {
          fullWithinWarn: c['fullWithinWarn'] === undefined ? null : seconds(c, 'fullWithinWarn', where, 0),
          fullWithinCrit: c['fullWithinCrit'] === undefined ? null : seconds(c, 'fullWithinCrit', where, 0),
        };
        if ([t.warn, t.crit, free.warnFree, free.critFree, within.fullWithinWarn, within.fullWithinCrit].every((x) => x === null))
          problems.push(`${where}warn/crit: set at least one threshold (percent used, warnFree/critFree or fullWithinWarn/fullWithinCrit)`);
        checks.push({
          ...base,
          kind,
          path: file(c, 'path', where, false) ?? '/',
          ...t,
          ...free,
          ...within,
          forecastWindowSeconds: seconds(c, 'forecastWindow', where, 6 * 3600),
        });
        break;
      }
      case 'process': {
        const name = str(c, 'name', where, false);
        const pattern = str(c, 'pattern', where, false);
        if (!name && !pattern) problems.push(`${where}name/pattern: set the process name or a pattern on its command line`);
        if (pattern) checkRegex(pattern, `${where}pattern`, problems);
        const severity = (c['severity'] ?? 'crit') as string;
        if (severity !== 'warn' && severity !== 'crit') problems.push(`${where}severity: warn or crit`);
        checks.push({ ...base, kind, name, pattern, min: num(c, 'min', where, { min: 1 }) ?? 1, severity: severity as 'crit' });
        break;
      }
      case 'log': {
        const pattern = str(c, 'pattern', where, true) ?? '.';
        checkRegex(pattern, `${where}pattern`, problems);
        checks.push({
          ...base,
          kind,
          path: file(c, 'path', where, true) ?? '',
          pattern,
          windowSeconds: seconds(c, 'window', where, 5 * 60),
          fromStart: c['fromStart'] === true,
          ...thresholds(c, where, 'number'),
        });
        break;
      }
      case 'http': {
        const url = str(c, 'url', where, true) ?? '';
        if (url && !/^https?:\/\/[^\s]+$/.test(url)) problems.push(`${where}url: must be an http(s):// URL`);
        const expect = String(c['expect'] ?? '200-399');
        const m = /^(\d{3})(?:-(\d{3}))?$/.exec(expect);
        if (!m) problems.push(`${where}expect: a status (200) or a range (200-399)`);
        checks.push({
          ...base,
          kind,
          url,
          timeoutMs: seconds(c, 'timeout', where, 10) * 1000,
          expect: [Number(m?.[1] ?? 200), Number(m?.[2] ?? m?.[1] ?? 399)],
          contains: str(c, 'contains', where, false),
          ca: file(c, 'ca', where, false),
          insecure: c['insecure'] === true,
          tlsWarnDays: num(c, 'tlsWarnDays', where, { min: 0 }) ?? 21,
          tlsCritDays: num(c, 'tlsCritDays', where, { min: 0 }) ?? 7,
        });
        break;
      }
      case 'file_age':
        checks.push({ ...base, kind, path: file(c, 'path', where, true) ?? '', ...thresholds(c, where, 'duration') });
        break;
      default:
        problems.push(`${where}kind: one of cpu, load, memory, disk, process, log, http, file_age`);
    }
  });

  const serverCa = file(root, 'serverCa', '', false);
  const stateDir = file(root, 'stateDir', '', false) ?? path.resolve(baseDir, 'sportello-agent-state');
  if (problems.length) throw new ConfigError(problems);
  return {
    server: server?.replace(/\/+$/, '') ?? null,
    serverCa,
    stateDir,
    intervalSeconds,
    graceSeconds,
    spool,
    checks,
  };
}

function checkRegex(pattern: string, where: string, problems: string[]): void {
  try {
    new RegExp(pattern);
  } catch {
    problems.push(`${where}: not a valid regular expression`);
  }
}
