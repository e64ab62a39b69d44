/**
 * A log file pattern, counted over a sliding window. The file is tailed from a remembered
 * position (inode + offset, kept across restarts): only new complete lines are read, at most
 * `MAX_READ` bytes a cycle. Rotation is followed: when the inode changes, the rest of the old
 * file is read from its rotated name (`<path>.1`) if it is there, then the new file from the
 * start; a file truncated in place (copytruncate) is read again from the start.
 */
import { open, stat } from 'node:fs/promises';
import type { CheckConfig } from '../config.ts';
import { above, type Check, type CheckContext, type CheckOutput, errorText, type LogPosition } from './check.ts';

/** Bytes read per cycle at most; a flood beyond it is skipped (and said so). */
export const MAX_READ = 1024 * 1024;
const KEEP_LINES = 5;

interface ReadResult {
  readonly lines: string[];
  /** Offset after the last complete line read. */
  readonly offset: number;
  readonly skipped: number;
}

/** Complete lines between `from` and the end of the file (or `MAX_READ` bytes before it). */
async function readLines(path: string, from: number, size: number): Promise<ReadResult> {
  let start = from;
  let skipped = 0;
  if (size - start > MAX_READ) {
    skipped = size - MAX_READ - start;
    start = size - MAX_READ;
  }
  if (size <= start) return { lines: [], offset: start, skipped };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    const chunk = buf.subarray(0, bytesRead);
    const lastNl = chunk.lastIndexOf(0x0a);
    // A line still being written (no newline yet) is read next time, whole.
    if (lastNl < 0) return { lines: [], offset: start, skipped };
    const text = chunk.subarray(0, lastNl).toString('utf8');
    return { lines: text.split('\n'), offset: start + lastNl + 1, skipped };
  } finally {
    await fh.close();
  }
}

export class LogCheck implements Check {
  private readonly regex: RegExp;
  /** Times (ms) of the matches still inside the window. */
  private readonly hits: number[] = [];
  private readonly recent: string[] = [];

  constructor(readonly config: Extract<CheckConfig, { kind: 'log' }>) {
    this.regex = new RegExp(config.pattern);
  }

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const c = this.config;
    const now = ctx.now.getTime();
    let st;
    try {
      st = await stat(c.path);
    } catch (err) {
      return [{ target: c.path, status: 'unknown', value: null, unit: null, message: `cannot read ${c.path}: ${errorText(err)}` }];
    }
    const prev = ctx.logPosition(c.id);
    const lines: string[] = [];
    let skipped = 0;
    let offset: number;
    if (!prev) {
      // First sight of the file: only what is written from now on counts (unless fromStart).
      offset = c.fromStart ? 0 : st.size;
      if (c.fromStart) ({ offset, skipped } = await this.collect(c.path, 0, st.size, lines));
    } else if (prev.ino !== st.ino) {
      // Rotated: finish the old file under its rotated name, then start the new one.
      skipped += await this.finishRotated(prev, lines);
      const r = await this.collect(c.path, 0, st.size, lines);
      offset = r.offset;
      skipped += r.skipped;
    } else {
      const from = st.size < prev.offset ? 0 : prev.offset; // truncated in place
      const r = await this.collect(c.path, from, st.size, lines);
      offset = r.offset;
      skipped += r.skipped;
    }
    ctx.setLogPosition(c.id, { ino: st.ino, offset });

    for (const line of lines) {
      if (!this.regex.test(line)) continue;
      this.hits.push(now);
      this.recent.push(line.slice(0, 300));
      if (this.recent.length > KEEP_LINES) this.recent.shift();
    }
    const since = now - c.windowSeconds * 1000;
    while (this.hits.length && this.hits[0]! < since) this.hits.shift();
    const count = this.hits.length;
    return [
      {
        target: c.path,
        status: above(count, c),
        value: count,
        unit: null,
        message: `${count} lines matching /${c.pattern}/ in the last ${Math.round(c.windowSeconds / 60)} min${skipped ? ` (${skipped} bytes skipped)` : ''}`,
        ...(count > 0 ? { evidence: { lines: [...this.recent] } } : {}),
      },
    ];
  }

  private async collect(path: string, from: number, size: number, into: string[]): Promise<{ offset: number; skipped: number }> {
    const r = await readLines(path, from, size);
    into.push(...r.lines);
    return { offset: r.offset, skipped: r.skipped };
  }

  /** The unread tail of the rotated file, if it is still at `<path>.1` with the same inode. */
  private async finishRotated(prev: LogPosition, into: string[]): Promise<number> {
    const rotated = `${this.config.path}.1`;
    try {
      const st = await stat(rotated);
      if (st.ino !== prev.ino) return 0;
      const r = await readLines(rotated, prev.offset, st.size);
      into.push(...r.lines);
      return r.skipped;
    } catch {
      return 0;
    }
  }
}
