/**
 * A file's freshness (the backup ran): the age of the file, or of the newest entry when the
 * path is a folder (backups often write one dated file a day). Missing counts as critical.
 */
import path from 'node:path';
import type { CheckConfig } from '../config.ts';
import { readdirAsync, statAsync } from '../files.ts';
import { isoTime } from '../time.ts';
import { above, type Check, type CheckContext, type CheckOutput, errorText, humanSeconds, round } from './check.ts';

const MAX_ENTRIES = 5000;

/** Modification time (ms) of the file, or of the newest entry of the folder; undefined when empty. */
async function newestMtime(p: string): Promise<{ mtimeMs: number; name: string } | undefined> {
  const st = await statAsync(p);
  if (!st.isDirectory()) return { mtimeMs: st.mtimeMs, name: path.basename(p) };
  let best: { mtimeMs: number; name: string } | undefined;
  const names = (await readdirAsync(p)).slice(0, MAX_ENTRIES);
  for (const name of names) {
    try {
      const s = await statAsync(path.join(p, name));
      if (!best || s.mtimeMs > best.mtimeMs) best = { mtimeMs: s.mtimeMs, name };
    } catch {
      // Deleted meanwhile.
    }
  }
  return best;
}

export class FileAgeCheck implements Check {
  constructor(readonly config: Extract<CheckConfig, { kind: 'file_age' }>) {}

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const c = this.config;
    let newest;
    try {
      newest = await newestMtime(c.path);
    } catch (err) {
      return [{ target: c.path, status: 'crit', value: null, unit: 'h', message: `missing: ${errorText(err)}` }];
    }
    if (!newest) return [{ target: c.path, status: 'crit', value: null, unit: 'h', message: 'the folder is empty' }];
    const ageSeconds = Math.max(0, (ctx.now.getTime() - newest.mtimeMs) / 1000);
    return [
      {
        target: c.path,
        status: above(ageSeconds, c),
        value: round(ageSeconds / 3600, 2),
        unit: 'h',
        message: `${newest.name} last modified ${humanSeconds(ageSeconds)} ago`,
        evidence: { details: { newest: newest.name, modified: isoTime(newest.mtimeMs) } },
      },
    ];
  }
}
