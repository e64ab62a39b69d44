/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [...]` only those. Each
 * benchmark module exports `run()` returning its figures; this prints them as one JSON line
 * `{"bench":"<name>", ...}` per benchmark, the last line of its output.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ALL = [
  'tickets',
  'conversation',
  'slack',
  'telegram',
  'discord',
  'sla',
  'alerts',
  'community',
  'dashboard',
  'cmdb',
  'chaos',
  'footprint',
  'scale',
];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = asked.length ? asked : ALL;
let failed = false;

for (const name of names) {
  const file = path.join(import.meta.dirname, `${name}.bench.ts`);
  if (!existsSync(file)) {
    if (asked.length) {
      console.error(
        `unknown benchmark "${name}"; available: ${ALL.filter((n) => existsSync(path.join(import.meta.dirname, `${n}.bench.ts`))).join(', ')}`,
      );
      failed = true;
    }
    continue;
  }
  try {
    const mod = (await import(pathToFileURL(file).href)) as { run(): Promise<Record<string, unknown>> };
    const figures = await mod.run();
    console.log(JSON.stringify({ bench: name, ...figures }));
  } catch (err) {
    failed = true;
    console.error(`benchmark ${name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
