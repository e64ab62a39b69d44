/**
 * A change window silences the alerts of the configuration items the change touches, on the
 * real alert pipeline (reports → hysteresis → alerts) with a controlled clock: an alert from a
 * touched machine during the window is held back and fires once the window ends; implementing
 * the change early ends the silence at that moment; another organisation's machine is not
 * silenced by it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent } from '../core/alerts/enrolment.ts';
import { ingestReport } from '../core/alerts/ingest.ts';
import type { CheckStatus, WireReport, WireResult } from '../core/alerts/protocol.ts';
import { formatDate } from '../core/kernel/format.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let orgId: string;
let agentId: string;
let machine: string;
const MIN = 60_000;
const HOUR = 60 * MIN;

beforeAll(async () => {
  h = await createHarness();
  orgId = await h.org('Associazione Il Girasole ODV', '97000000001');
  await h.person('luca', 'Luca Referente', ['ict_lead'], orgId);
  await h.person('anna', 'Anna Richiedente', ['requester'], orgId);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.bindVolunteers('volontari');
  await h.send({ from: 'luca', text: 'agente' });
  const code = /--code ([A-Z0-9]{8})/.exec(h.sender.texts('luca').at(-1) ?? '')![1]!;
  const enrolled = await h.store.transaction((repos) =>
    enrolAgent({ repos, clock: h.clock, defaultLocale: 'it' }, { code, hostname: 'server-dati', agentVersion: 'test' }),
  );
  agentId = enrolled.agent.id;
  await h.dispatcher.drain();
  machine = /CI-\d{6}/.exec(h.sender.texts('luca').at(-1) ?? '')![0];
});
afterAll(() => h.close());

const result = (check: string, status: CheckStatus, at: Date): WireResult => ({
  check,
  kind: 'disk',
  target: `/${check}`,
  status,
  value: status === 'ok' ? 40 : 95,
  unit: '%',
  message: `${status} sample`,
  observedAt: at.toISOString(),
  forSeconds: 300,
  recoverySeconds: 300,
});

/** One report with a sample per minute, ending now; the clock moves to its end. */
async function samples(check: string, pattern: string): Promise<void> {
  const codes: Record<string, CheckStatus> = { o: 'ok', c: 'crit' };
  const batches = [...pattern].map((ch, i) => {
    if (i > 0) h.clock.advance(MIN);
    return { id: randomUUID(), createdAt: h.clock.now().toISOString(), results: [result(check, codes[ch]!, h.clock.now())] };
  });
  const payload: WireReport = { agentVersion: 'test', heartbeat: { periodSeconds: 60, graceSeconds: 120 }, batches };
  const outcome = await h.store.transaction((repos) =>
    ingestReport({ repos, clock: h.clock, defaultLocale: 'it' }, agentId, randomBytes(16).toString('hex'), payload),
  );
  expect(outcome.kind).toBe('stored');
  await h.dispatcher.drain();
}

async function alertsOf(check: string): Promise<number> {
  const rows = await h.tdb.db
    .withTables<{ alerts: { id: string; check_id: string } }>()
    .selectFrom('alerts')
    .select('id')
    .where('check_id', '=', check)
    .execute();
  return rows.length;
}

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const say = (who: string, text: string) => h.send({ from: who, text });

/** An approved normal change touching the agent's machine. */
async function approvedChange(title: string): Promise<string> {
  await say('anna', `rfc ${title}`);
  const ref = /RFC-\d{6}/.exec(last('anna'))![0];
  await say('vera', `prendi ${ref}`);
  await say('vera', `sottoponi ${ref} normale ${machine}`);
  await say('luca', `approva ${ref}`);
  return ref;
}

/** "12/3/2026 18:00" for an instant, in Rome's wall time (what a volunteer would type). */
function typed(d: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

describe('a change window silences the alerts of the items it touches', () => {
  it('an alert from a touched machine during the window is held back, and fires once the window has ended', async () => {
    const ref = await approvedChange('Sostituire i dischi del server');
    const start = new Date(h.clock.now().getTime() + HOUR);
    const end = new Date(start.getTime() + 2 * HOUR);
    await say('vera', `pianifica ${ref} ${typed(start)} ${typed(end)}`);
    expect(last('vera')).toContain(`Durante la finestra tacciono le allerte di: ${machine} · server-dati`);
    expect(last('vera')).toContain(formatDate('it', start));

    // Before the window: a failing check fires as usual.
    await samples('prima', 'cccccc');
    expect(await alertsOf('prima')).toBe(1);

    h.clock.advance(HOUR); // into the window
    await samples('dischi', 'cccccccccc');
    expect(await alertsOf('dischi')).toBe(0);

    h.clock.advance(2 * HOUR); // past the window's end
    await samples('dischi', 'c');
    expect(await alertsOf('dischi')).toBe(1);
  });

  it('implementing the change during its window ends the silence at that moment', async () => {
    const ref = await approvedChange('Aggiornare il sistema operativo');
    const start = new Date(h.clock.now().getTime() + 2 * MIN);
    await say('vera', `pianifica ${ref} ${typed(start)} ${typed(new Date(start.getTime() + 4 * HOUR))}`);
    h.clock.advance(5 * MIN);
    await samples('aggiornamento', 'cccccccc');
    expect(await alertsOf('aggiornamento')).toBe(0);
    await say('vera', `implementato ${ref} aggiornato`);
    await samples('aggiornamento', 'c');
    expect(await alertsOf('aggiornamento')).toBe(1);
  });

  it('withdrawing a scheduled change stops its silence at once', async () => {
    const ref = await approvedChange('Cambiare la scheda di rete');
    const start = new Date(h.clock.now().getTime() + 2 * MIN);
    await say('vera', `pianifica ${ref} ${typed(start)} ${typed(new Date(start.getTime() + 4 * HOUR))}`);
    h.clock.advance(5 * MIN);
    await samples('rete', 'cccccccc');
    expect(await alertsOf('rete')).toBe(0);
    await say('anna', `ritira ${ref}`);
    expect((await h.store.tickets.findByRef(ref))?.status).toBe('cancelled');
    await samples('rete', 'c');
    expect(await alertsOf('rete')).toBe(1);
  });
});
