/**
 * The engine wakes only what it wrote. A handled chat message reports what its transaction
 * committed (`onWritten`: outbox rows, SLA events); the workers deliver the rows at once and run
 * the SLA timer pump only for SLA events. The polls are slowed to an hour here, so whatever
 * happens promptly was woken: a plain chat message is delivered and costs no `claimForTimers`
 * query; the confirmed intake (a new ticket, its SLA events) gets its timers at once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import type { Clock, Store, Written } from '../core/kernel/ports.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { RecordingSender } from './engine-harness.ts';
import { createStack, type Stack } from './stack.ts';
import { WAIT_MS } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;

let stack: Stack;
let workers: Workers;
let engine: ConversationEngine;
const sender = new RecordingSender();
const reports: Written[] = [];
let claims = 0;

/** The store the workers use, counting the timer pump's queries. */
function counting(store: KyselyStore): Store {
  const sla = new Proxy(store.sla, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'claimForTimers')
        return (...args: Parameters<typeof target.claimForTimers>) => (claims++, target.claimForTimers(...args));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return Object.defineProperty(Object.create(store) as Store, 'sla', { value: sla });
}

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One event from the web user `lia` in her DM; resolves with what it reported and the answer delivered. */
async function send(
  input: { text: string } | { action: { id: string; value: string } },
): Promise<{ written: Written | undefined; answer: string }> {
  const before = { reports: reports.length, sent: sender.to('lia').length };
  await engine.handle({
    platform: 'web',
    deliveryId: randomUUID(),
    conversation: { id: 'lia', kind: 'dm' },
    sender: { externalId: 'lia' },
    ...input,
  });
  const delivered = await until(
    () => sender.to('lia').length > before.sent && sender.to('lia').at(-1),
    'the answer, delivered without a poll',
  );
  return { written: reports.length > before.reports ? reports.at(-1) : undefined, answer: delivered.message.text ?? '' };
}

const buttonValue = (actionId: string): string => {
  const b = sender.last('lia')?.message.buttons?.find((x) => x.actionId === actionId);
  if (!b) throw new Error(`no ${actionId} button in ${JSON.stringify(sender.texts('lia'))}`);
  return b.value;
};

beforeAll(async () => {
  stack = await createStack();
  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  await stack.person({ platform: 'web', externalId: 'lia', name: 'Lia Rossi', roles: ['requester'], orgId: org });
  const clock: Clock = { now: () => new Date() };
  workers = await startWorkers({
    store: counting(stack.store),
    clock,
    log: quiet,
    dbUrl: stack.tdb.url,
    defaultLocale: 'it',
    senders: { web: sender },
    namespace: `wake-${randomUUID().slice(0, 8)}`,
    pumpIntervalMs: HOUR,
    outboxPollMs: HOUR,
    schedules: false,
  });
  engine = new ConversationEngine({
    registry: REGISTRY,
    store: stack.store,
    clock,
    defaultLocale: 'it',
    onWritten: (written) => {
      reports.push(written);
      workers.wake(written);
    },
  });
  // The pump's first round at start.
  await until(() => claims >= 1, 'the first pump round');
}, 60_000);

afterAll(async () => {
  await workers?.stop();
  await stack?.close();
});

describe('waking what was written', () => {
  it('a plain chat message delivers its answer and runs no SLA-timer query', async () => {
    const baseline = claims;
    const { written, answer } = await send({ text: 'aiuto' });
    expect(answer).not.toBe('');
    expect(written).toEqual({ outbox: 1, slaEvents: 0 });
    // A woken pump queries at once (synchronously, in `wake`): by now it would have counted.
    expect(claims).toBe(baseline);
  });

  it('a duplicate delivery writes nothing and wakes nothing', async () => {
    const event = {
      platform: 'web' as const,
      deliveryId: randomUUID(),
      conversation: { id: 'lia', kind: 'dm' as const },
      sender: { externalId: 'lia' },
      text: 'chisono',
    };
    const sent = sender.to('lia').length;
    await engine.handle(event);
    await until(() => sender.to('lia').length > sent, 'the first answer');
    const count = reports.length;
    expect((await engine.handle(event)).status).toBe('duplicate');
    expect(reports).toHaveLength(count);
  });

  it('the intake costs no timer query until the ticket exists; its SLA events get their timers at once', async () => {
    const baseline = claims;
    const steps = [
      // The first message already says the kind and the device: the intake asks only the rest.
      await send({ text: 'La stampante della segreteria non stampa' }),
      await send({ action: { id: 'intake.impact', value: '1' } }),
      await send({ action: { id: 'intake.urgency', value: '1' } }),
    ];
    for (const s of steps) expect(s.written).toMatchObject({ slaEvents: 0 });
    expect(claims).toBe(baseline);

    const created = await send({ action: { id: 'intake.confirm', value: buttonValue('intake.confirm') } });
    expect(created.answer).toMatch(/INC-\d{6}/);
    expect(created.written?.outbox).toBeGreaterThanOrEqual(1);
    expect(created.written?.slaEvents).toBeGreaterThan(0);
    await until(() => claims > baseline, 'the timer pump, woken by the SLA events');
    // A P1 (whole organisation, work stopped) runs 24×7: its first warning is due within the
    // hour, and the woken pump set its timer.
    const queued = () =>
      stack.tdb.db
        .selectFrom('sla_events' as never)
        .select('queued_at' as never)
        .where('queued_at' as never, 'is not', null)
        .execute();
    await until(async () => (await queued()).length > 0, 'timers set');
  });
});
