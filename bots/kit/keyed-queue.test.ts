import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

const step = (log: string[], name: string, ms: number) => () => new Promise<void>((r) => setTimeout(() => (log.push(name), r()), ms));

describe('KeyedQueue', () => {
  it("runs one key's work in order and different keys side by side", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    await Promise.all([q.run('a', step(log, 'a1', 30)), q.run('a', step(log, 'a2', 1)), q.run('b', step(log, 'b1', 5))]);
    expect(log).toEqual(['b1', 'a1', 'a2']);
  });

  it('settles each run with its own work; a failure does not stop the key', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const failed = q.run('a', () => Promise.reject(new Error('boom')));
    const next = q.run('a', async () => (log.push('after'), 42));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe(42);
    expect(log).toEqual(['after']);
  });

  it('idle() waits for everything, including work queued while waiting', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    void q.run('a', async () => {
      await step(log, 'a1', 20)();
      // Queued by running work (as a retry would be), after idle() was called.
      void q.run('b', step(log, 'b1', 20));
    });
    await q.idle();
    expect(log).toEqual(['a1', 'b1']);
    await q.idle();
  });
});
