/**
 * The on-disk buffer of batches not yet accepted by the server: one file per batch, named so
 * that the directory order is the order they were made. Bounded (by default 1,000 batches and
 * 5 MB): when full, the oldest batches are dropped and counted, and the count is reported to the
 * server. A batch leaves the buffer only once the server acknowledged it; a batch sent twice
 * (the answer was lost) is recognised by its id on the server.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WireBatch } from '../core/alerts/protocol.ts';

interface Entry {
  readonly name: string;
  readonly size: number;
}

export class Spool {
  private readonly entries: Entry[];
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly limits: { readonly maxBatches: number; readonly maxBytes: number },
    private readonly onDrop: (n: number) => void,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.entries = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((name) => ({ name, size: statSync(path.join(dir, name)).size }));
    for (const e of this.entries) this.bytes += e.size;
  }

  get size(): number {
    return this.entries.length;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Stores a batch; drops the oldest ones if the buffer would overflow. */
  append(batch: WireBatch): void {
    const text = JSON.stringify(batch);
    const name = `${String(Date.parse(batch.createdAt)).padStart(15, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}-${batch.id}.json`;
    const tmp = path.join(this.dir, `${name}.tmp`);
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path.join(this.dir, name));
    const size = Buffer.byteLength(text);
    this.entries.push({ name, size });
    this.bytes += size;
    let dropped = 0;
    while (this.entries.length > 1 && (this.entries.length > this.limits.maxBatches || this.bytes > this.limits.maxBytes)) {
      this.removeEntry(this.entries[0]!);
      dropped++;
    }
    if (dropped) this.onDrop(dropped);
  }

  /** The oldest batches, up to `max` of them and about `maxBytes` in all (at least one). */
  peek(max: number, maxBytes: number): { readonly names: string[]; readonly batches: WireBatch[] } {
    const names: string[] = [];
    const batches: WireBatch[] = [];
    let bytes = 0;
    for (const e of this.entries) {
      if (names.length >= max || (names.length > 0 && bytes + e.size > maxBytes)) break;
      try {
        batches.push(JSON.parse(readFileSync(path.join(this.dir, e.name), 'utf8')) as WireBatch);
        names.push(e.name);
        bytes += e.size;
      } catch {
        // A damaged file (disk full while writing): drop it rather than block the buffer.
        this.removeEntry(e);
        this.onDrop(1);
        return this.peek(max, maxBytes);
      }
    }
    return { names, batches };
  }

  /** Forgets batches the server acknowledged (or refused for good). */
  remove(names: readonly string[]): void {
    const gone = new Set(names);
    for (const e of this.entries.filter((x) => gone.has(x.name))) this.removeEntry(e);
  }

  private removeEntry(e: Entry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    this.bytes -= e.size;
    try {
      unlinkSync(path.join(this.dir, e.name));
    } catch {
      // Already gone.
    }
  }
}
