import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from './coalescing-runner.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('CoalescingRunner', () => {
  it('runs one round per kick when idle, and exactly one more for any number of kicks during a round', async () => {
    let rounds = 0;
    let release: () => void = () => {};
    const runner = new CoalescingRunner(
      async () => {
        rounds++;
        if (rounds === 1) await new Promise<void>((r) => (release = r));
      },
      () => {},
    );
    runner.kick();
    await tick();
    for (let i = 0; i < 10; i++) runner.kick();
    release();
    await runner.settled();
    expect(rounds).toBe(2);
    runner.kick();
    await runner.settled();
    expect(rounds).toBe(3);
  });

  it('reports a failing round and keeps serving kicks', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const runner = new CoalescingRunner(
      async () => {
        if (++n === 1) throw new Error('boom');
      },
      (e) => errors.push(e),
    );
    runner.kick();
    await runner.settled();
    runner.kick();
    await runner.settled();
    expect(errors).toHaveLength(1);
    expect(n).toBe(2);
  });

  it('ignores kicks while paused, until resumed', async () => {
    let n = 0;
    const runner = new CoalescingRunner(
      async () => void n++,
      () => {},
    );
    await runner.pause();
    runner.kick();
    await runner.settled();
    expect(n).toBe(0);
    runner.resume();
    runner.kick();
    await runner.settled();
    expect(n).toBe(1);
  });
});
