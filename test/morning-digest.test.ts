/**
 * The morning digest with more open tickets than it could once read: counts come from SQL over
 * every open ticket, and the lines from the late and at-risk tickets picked by their SLA events,
 * so old tickets (the ones most at risk) are never left out behind a thousand newer ones.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMorningDigest } from '../core/escalation/morning-digest.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let orgId: string;
let annaId: string;
let veraId: string;
const MIN = 60_000;

beforeAll(async () => {
  h = await createHarness(); // Monday 2 March 2026, 10:00 in Rome
  orgId = await h.org('Associazione Il Girasole ODV', '97000000001');
  annaId = await h.person('anna', 'Anna Bianchi', ['requester'], orgId);
  veraId = await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.bindVolunteers('volontari');
});
afterAll(() => h.close());

const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';

/** A P2 incident through the chat intake (4 h first response, 3 business days resolution). */
async function openTicket(title: string): Promise<string> {
  await h.send({ from: 'anna', text: title });
  await h.press('anna', 'intake.kind', 'incident');
  await h.press('anna', 'intake.impact', '2');
  await h.press('anna', 'intake.urgency', '1');
  await h.send({ from: 'anna', text: title });
  await h.press('anna', 'intake.keep', '');
  await h.press('anna', 'intake.skip', '');
  const button = h.sender.last('anna')?.message.buttons?.find((b) => b.actionId === 'intake.confirm');
  await h.press('anna', 'intake.confirm', button!.value);
  return /INC-\d{6}/.exec(lastText('anna'))![0];
}

/** `n` tickets in one INSERT, created now (newer than everything else), with no history or SLA events. */
async function bulkInsert(prefix: string, n: number, status: string, assigneeId: string | null, createdAt = h.clock.now()): Promise<void> {
  await sql`
    insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id, assignee_id, created_at, updated_at)
    select ${prefix} || '-' || lpad(i::text, 6, '0'), 'incident', 'Ticket di massa ' || i, 'Creato dal test', 3, 3, 5, 'volunteer', ${status},
      ${orgId}, ${annaId}, ${assigneeId}, ${createdAt}, ${createdAt}
    from generate_series(1, ${n}) as i`.execute(h.tdb.db);
}

describe('the morning digest with more than 1,000 open tickets', () => {
  let claimed: string; // at risk, owned
  let late: string; // never claimed: its first response is long missed
  let requeued: string; // its first response fired late, then it was claimed and released: at risk on resolution only

  it('counts every open ticket exactly and lists the old ones that are late or at risk', async () => {
    claimed = await openTicket('Il server non si avvia');
    await h.send({ from: 'vera', text: `prendi ${claimed}` });
    h.clock.advance(5 * MIN);
    late = await openTicket('La posta non arriva');
    h.clock.advance(5 * MIN);
    requeued = await openTicket('Il gestionale è lento');
    h.clock.advance(5 * 60 * MIN - 10 * MIN); // Monday 15:00: the first response of the last one was due at 14:10
    const requeuedId = (await h.store.tickets.findByRef(requeued))!.id;
    const breach = (await h.store.sla.listEvents(requeuedId)).find((e) => e.target === 'response' && e.kind === 'breach')!;
    expect(await h.store.sla.markFired(breach.id, h.clock.now())).toBeDefined();
    await h.send({ from: 'vera', text: `prendi ${requeued}` });
    await h.send({ from: 'vera', text: `rilascia ${requeued}` });
    expect(await h.store.tickets.findByRef(requeued)).toMatchObject({ status: 'new', assigneeId: null });

    // Wednesday 13:00 in Rome: the resolution clocks of the first and the last have a quarter or less left.
    h.clock.advance(new Date('2026-03-04T12:00:00Z').getTime() - h.clock.now().getTime());
    await bulkInsert('BLK', 1200, 'new', null);
    await bulkInsert('WRK', 100, 'in_progress', veraId);
    await bulkInsert('ATT', 50, 'pending', veraId);
    await bulkInsert('CHI', 30, 'closed', veraId);

    const result = await sendMorningDigest({ store: h.store, clock: h.clock, defaultLocale: 'it', runKey: '2026-03-04' });
    expect(result).toEqual({ sent: true, open: 1353, atRisk: 2, late: 1, posted: 1 });
    await h.dispatcher.drain();
    const lines = h.sender.last('volontari')!.message.text.split('\n');
    expect(lines[0]).toBe('Aperti: 1353 · in coda senza nessuno: 1202 · a rischio: 2 · in ritardo: 1');
    expect(lines.slice(1, 3)).toEqual(['', 'Da guardare per primi:']);
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(new RegExp(`^${late} · P2 · nuovo · Prima risposta: scaduta 2 mar 2026, 14:05, in ritardo di `)),
      `${claimed} · P2 · preso in carico · Risoluzione: entro 5 mar 2026, 10:00, mancano 6 h lavorative`,
      expect.stringMatching(new RegExp(`^${requeued} · P2 · nuovo · Risoluzione: entro 5 mar 2026, 10:10, mancano 6 h 10 min lavorative`)),
    ]);
  });

  it('past the lines it can show, it says how many more are late or at risk', async () => {
    // 15 more late tickets: P2, opened on Monday 09:00, never claimed, first response due at 13:00.
    const monday = new Date('2026-03-02T08:00:00Z');
    await bulkInsert('OLD', 15, 'new', null, monday);
    await sql`update tickets set impact = 2, urgency = 1, priority = 2 where ref like 'OLD-%'`.execute(h.tdb.db);
    await sql`
      insert into sla_events (ticket_id, target, kind, due_at, created_at)
      select id, 'response', 'breach', ${new Date('2026-03-02T12:00:00Z')}, ${monday} from tickets where ref like 'OLD-%'`.execute(
      h.tdb.db,
    );

    const result = await sendMorningDigest({ store: h.store, clock: h.clock, defaultLocale: 'it', runKey: '2026-03-04-bis' });
    expect(result).toEqual({ sent: true, open: 1368, atRisk: 2, late: 16, posted: 1 });
    await h.dispatcher.drain();
    const lines = h.sender.last('volontari')!.message.text.split('\n');
    expect(lines[0]).toBe('Aperti: 1368 · in coda senza nessuno: 1217 · a rischio: 2 · in ritardo: 16');
    expect(lines.slice(3, 18).every((l) => / · Prima risposta: scaduta /.test(l))).toBe(true);
    expect(lines.slice(18)).toEqual(['…e altri 3.']);
  });
});
