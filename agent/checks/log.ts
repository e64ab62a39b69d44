/**
 * A log file pattern, counted over a sliding window. The file is tailed from a remembered
 * position (inode + offset, kept across restarts): only new complete lines are read, at most
 * `MAX_READ` bytes a cycle. Rotation is followed: when the inode changes, the rest of the old
 * file is read from its rotated name (`<path>.1`) if it is there, then the new file from the
 * start; a file truncated in place (copytruncate) is read again from the start.
 */
import type { CheckConfig } from '../config.ts';
import { statAsync, withOpenFile } from '../files.ts';
import { above, type Check, type CheckContext, type CheckOutput, errorText, type LogPosition } from './check.ts';

/** Bytes read per cycle at most; a flood beyond it is skipped (and said so). */
export const MAX_READ = 1024 * 1024;
/** Read in pieces of this size: a flood costs the agent this buffer, not a copy of itself. */
export const READ_CHUNK = 64 * 1024;
const KEEP_LINES = 5;

/**
 * Passes each complete line between `from` and the end of the file (or `MAX_READ` bytes before
 * it) to `onLine`, reading `READ_CHUNK` bytes at a time. Resolves with the offset after the last
 * complete line and the bytes skipped.
 */
async function readLines(
  path: string,
  from: number,
  size: number,
  onLine: (line: string) => void,
): Promise<{ offset: number; skipped: number }> {
  let start = from;
  let skipped = 0;
  if (size - start > MAX_READ) {
    skipped = size - MAX_READ - start;
    start = size - MAX_READ;
  }
  if (size <= start) return { offset: start, skipped };
  return withOpenFile(path, async (readAt) => {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - start));
    // The start of a line not complete yet (copied: `buf` is reused), decoded once it is whole.
    let partial: Buffer[] = [];
    let offset = start;
    for (let pos = start; pos < size; ) {
      const n = await readAt(buf.subarray(0, Math.min(buf.length, size - pos)), pos);
      if (n === 0) break; // truncated meanwhile
      const chunk = buf.subarray(0, n);
      let lineStart = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, lineStart)) {
        const piece = chunk.subarray(lineStart, nl);
        onLine((partial.length ? Buffer.concat([...partial, piece]) : piece).toString('utf8'));
        partial = [];
        lineStart = nl + 1;
        offset = pos + lineStart;
      }
      // A line still being written (no newline yet) is read next time, whole.
      if (lineStart < n) partial.push(Buffer.from(chunk.subarray(lineStart)));
      pos += n;
    }
    return { offset, skipped };
  });
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
      st = await statAsync(c.path);
    } catch (err) {
      return [{ target: c.path, status: 'unknown', value: null, unit: null, message: `cannot read ${c.path}: ${errorText(err)}` }];
    }
    const prev = ctx.logPosition(c.id);
    // Only what matches is kept while reading: the count and the last few lines. They count
    // once the whole read succeeded, with the new position (a failed read is read again).
    let matches = 0;
    const last: string[] = [];
    const onLine = (line: string) => {
      if (!this.regex.test(line)) return;
      matches++;
      last.push(line.slice(0, 300));
      if (last.length > KEEP_LINES) last.shift();
    };
    let skipped = 0;
    let offset: number;
    if (!prev) {
      // First sight of the file: only what is written from now on counts (unless fromStart).
      offset = c.fromStart ? 0 : st.size;
      if (c.fromStart) ({ offset, skipped } = await readLines(c.path, 0, st.size, onLine));
    } else if (prev.ino !== st.ino) {
      // Rotated: finish the old file under its rotated name, then start the new one.
      skipped += await this.finishRotated(prev, onLine);
      const r = await readLines(c.path, 0, st.size, onLine);
      offset = r.offset;
      skipped += r.skipped;
    } else {
      const from = st.size < prev.offset ? 0 : prev.offset; // truncated in place
      const r = await readLines(c.path, from, st.size, onLine);
      offset = r.offset;
      skipped += r.skipped;
    }
    ctx.setLogPosition(c.id, { ino: st.ino, offset });

    for (let i = 0; i < matches; i++) this.hits.push(now);
    for (const line of last) {
      this.recent.push(line);
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

  /** The unread tail of the rotated file, if it is still at `<path>.1` with the same inode. */
  private async finishRotated(prev: LogPosition, onLine: (line: string) => void): Promise<number> {
    const rotated = `${this.config.path}.1`;
    try {
      const st = await statAsync(rotated);
      if (st.ino !== prev.ino) return 0;
      return (await readLines(rotated, prev.offset, st.size, onLine)).skipped;
    } catch {
      return 0;
    }
  }
}
