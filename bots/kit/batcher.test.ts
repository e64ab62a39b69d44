import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

describe('Batcher', () => {
  it('sends the requests of one tick together, and those made during a batch in the next one', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const b = new Batcher<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await held;
      return items.map((i) => i * 10);
    });
    const first = [b.run(1), b.run(2)];
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2]]);
    const later = [b.run(3), b.run(4), b.run(5)];
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1); // waiting for the batch in flight
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('fails every request of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const b = new Batcher<string, string>(async (items) => {
      if (calls++ === 0) throw new Error('down');
      return items.map((i) => i.toUpperCase());
    });
    const failed = [b.run('a'), b.run('b')];
    await expect(Promise.all(failed)).rejects.toThrow('down');
    await expect(failed[1]).rejects.toThrow('down');
    expect(await b.run('c')).toBe('C');
  });
});
