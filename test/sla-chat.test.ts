/**
 * The SLA as people meet it in chat, on a controllable clock (no job workers): the `sla`
 * command, the SLA fields of `stato`, policy changes moving deadlines, the morning digest and
 * the auto-close of resolved tickets nobody confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUnconfirmedTickets } from '../core/escalation/close-unconfirmed-tickets.ts';
import { sendMorningDigest } from '../core/escalation/morning-digest.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await createHarness(); // Monday 2 March 2026, 10:00 in Rome
  const org = await h.org('Associazione Il Girasole ODV', '97000000001');
  await h.person('anna', 'Anna Bianchi', ['requester'], org);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.bindVolunteers('volontari');
});
afterAll(() => h.close());

const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';
const field = (who: string, label: string) => h.sender.last(who)?.message.fields?.find((f) => f.label === label)?.value;

async function openTicket(who: string, title: string): Promise<string> {
  await h.send({ from: who, text: title });
  await h.press(who, 'intake.kind', 'incident');
  await h.press(who, 'intake.impact', '2');
  await h.press(who, 'intake.urgency', '1'); // P2
  await h.send({ from: who, text: title });
  await h.press(who, 'intake.keep', '');
  await h.press(who, 'intake.skip', '');
  const button = h.sender.last(who)?.message.buttons?.find((b) => b.actionId === 'intake.confirm');
  await h.press(who, 'intake.confirm', button!.value);
  return /INC-\d{6}/.exec(lastText(who))![0];
}

describe('the sla command', () => {
  it('shows the targets to volunteers and staff, not to requesters', async () => {
    await h.send({ from: 'vera', text: 'sla' });
    expect(h.sender.last('vera')?.message.title).toBe('Obiettivi SLA');
    expect(lastText('vera')).toContain('Volontari P2: prima risposta 4 h, risoluzione 3 g');
    await h.send({ from: 'anna', text: 'sla' });
    expect(lastText('anna')).toBe('Non hai i permessi per questa operazione.');
  });

  it('lets a moderator change a target, and only a moderator', async () => {
    await h.send({ from: 'marco', text: 'sla volontari P2 2h 2g' });
    expect(lastText('marco')).toBe(
      'Fatto: Volontari P2 ha ora prima risposta 2 h e risoluzione 2 g. Scadenze ricalcolate su 0 ticket aperti.',
    );
    expect(await h.store.sla.listPolicies()).toEqual([
      { tier: 'volunteer', priority: 2, responseMinutes: 120, resolutionMinutes: 1080, allHours: false },
    ]);
    await h.send({ from: 'vera', text: 'sla volontari P2 1h 2h' });
    expect(lastText('vera')).toBe('Non hai i permessi per questa operazione.');
    await h.send({ from: 'marco', text: 'sla volontari P7 1h 2h' });
    expect(lastText('marco')).toMatch(/^Uso: sla/);
    await h.send({ from: 'marco', text: 'sla volontari P2 5h 1h' });
    expect(lastText('marco')).toMatch(/^La prima risposta deve arrivare prima della risoluzione/);
    await h.send({ from: 'marco', text: 'sla fornitori 1 15m 2h 24x7' });
    expect(lastText('marco')).toContain('Fornitori P1 ha ora prima risposta 15 min e risoluzione 2 h · 24 ore su 24');
  });

  it('appears in help for volunteers and staff', async () => {
    await h.send({ from: 'vera', text: 'aiuto' });
    expect(lastText('vera')).toContain('sla volontari P2 4h 3g');
    await h.send({ from: 'anna', text: 'aiuto' });
    expect(lastText('anna')).not.toContain('sla volontari');
  });
});

describe('SLA in stato and when deadlines move', () => {
  let ref: string;

  it('stato shows each target: due time in Rome and business time left', async () => {
    ref = await openTicket('anna', 'La stampante non stampa');
    await h.send({ from: 'anna', text: `stato ${ref}` });
    expect(field('anna', 'Prima risposta')).toBe('entro 2 mar 2026, 12:00, mancano 2 h lavorative');
    expect(field('anna', 'Risoluzione')).toBe('entro 4 mar 2026, 10:00, mancano 2 g lavorative');
  });

  it('a missed target shows how late it is', async () => {
    h.clock.advance(3 * HOUR); // 13:00
    await h.send({ from: 'anna', text: `stato ${ref}` });
    expect(field('anna', 'Prima risposta')).toBe('scaduta 2 mar 2026, 12:00, in ritardo di 1 h lavorative');
  });

  it('a tighter policy moves the deadlines of open tickets at once', async () => {
    const ticket = (await h.store.tickets.findByRef(ref))!;
    const before = (await h.store.sla.listEvents(ticket.id)).filter((e) => e.target === 'response').map((e) => e.kind);
    expect(before).toEqual(['warn_75', 'warn_90', 'breach']);
    await h.send({ from: 'marco', text: 'sla volontari P2 30m 2g' });
    expect(lastText('marco')).toContain('Scadenze ricalcolate su 1 ticket aperti');
    const after = (await h.store.sla.listEvents(ticket.id)).filter((e) => e.target === 'response');
    // Already three hours in: only the breach is left, already due (the warnings are moot).
    expect(after.map((e) => e.kind)).toEqual(['breach']);
    expect(after[0]!.dueAt.getTime()).toBeLessThanOrEqual(h.clock.now().getTime());
  });

  it('while on hold the resolution clock is paused; the first response is missed for good', async () => {
    await h.send({ from: 'vera', text: `prendi ${ref}` });
    h.clock.advance(HOUR); // 14:00
    await h.send({ from: 'vera', text: `sospendi ${ref} mi serve la password` });
    h.clock.advance(20 * HOUR); // Tuesday 10:00
    await h.send({ from: 'anna', text: `stato ${ref}` });
    expect(field('anna', 'Prima risposta')).toBe('mancata: scadeva 2 mar 2026, 10:30');
    // 4 hours used on Monday (10:00–14:00) of 2 working days.
    expect(field('anna', 'Risoluzione')).toBe('in pausa, restano 1 g 5 h lavorative');
    const ticket = (await h.store.tickets.findByRef(ref))!;
    expect((await h.store.sla.listEvents(ticket.id)).filter((e) => !e.firedAt && e.target === 'resolution')).toEqual([]);
  });
});

describe('auto-close and the morning digest', () => {
  it('closes a resolved ticket nobody confirmed after 7 days and tells the requester', async () => {
    const ref = await openTicket('anna', 'Il wifi non va');
    await h.send({ from: 'vera', text: `prendi ${ref}` });
    await h.send({ from: 'vera', text: `risolvi ${ref} riavviato il router` });
    const deps = { store: h.store, clock: h.clock, defaultLocale: 'it' as const };
    h.clock.advance(6 * 24 * HOUR);
    expect(await closeUnconfirmedTickets(deps, 7)).not.toContain(ref);
    h.clock.advance(2 * 24 * HOUR);
    expect(await closeUnconfirmedTickets(deps, 7)).toContain(ref);
    expect(await closeUnconfirmedTickets(deps, 7)).not.toContain(ref);
    await h.dispatcher.drain();
    const ticket = (await h.store.tickets.findByRef(ref))!;
    expect(ticket.status).toBe('closed');
    expect(h.sender.texts('anna').filter((x) => x.startsWith(`Ho chiuso il ticket ${ref}`))).toHaveLength(1);
    expect(lastText('vera')).toBe(`Il ticket ${ref} è chiuso. Grazie per l'aiuto!`);
    const last = (await h.store.tickets.listEvents(ticket.id)).at(-1);
    expect(last).toMatchObject({ actorId: null, field: 'status', from: 'resolved', to: 'closed', note: 'auto-close after 7 days' });
  });

  it('posts the digest once on a business day, the late tickets first', async () => {
    h.clock.advance(new Date('2026-03-16T08:00:00Z').getTime() - h.clock.now().getTime()); // Monday 09:00 in Rome
    const late = await openTicket('anna', 'Il server di posta è giù');
    h.clock.advance(2 * HOUR); // nobody took it: its 30-minute first response is 1 h 30 min late
    const clock = h.clock;
    const first = await sendMorningDigest({ store: h.store, clock, defaultLocale: 'it', runKey: '2026-03-16' });
    expect(first).toMatchObject({ sent: true, posted: 1 });
    expect(await sendMorningDigest({ store: h.store, clock, defaultLocale: 'it', runKey: '2026-03-16' })).toEqual({
      sent: false,
      reason: 'already_sent',
    });
    await h.dispatcher.drain();
    const digest = h.sender.last('volontari')!;
    expect(digest.message.title).toBe('Buongiorno! I ticket aperti al lunedì 16 marzo 2026');
    expect(digest.message.text.split('\n')).toEqual([
      'Aperti: 2 · in coda senza nessuno: 1 · a rischio: 0 · in ritardo: 1',
      '',
      'Da guardare per primi:',
      `${late} · P2 · nuovo · Prima risposta: scaduta 16 mar 2026, 09:30, in ritardo di 1 h 30 min lavorative`,
    ]);
  });

  it('skips weekends and holidays (Easter Monday)', async () => {
    for (const iso of ['2026-03-14T07:30:00Z', '2026-04-06T06:30:00Z']) {
      const r = await sendMorningDigest({ store: h.store, clock: { now: () => new Date(iso) }, defaultLocale: 'it', runKey: iso });
      expect(r).toEqual({ sent: false, reason: 'not_a_business_day' });
    }
  });
});

describe('firing and locks', () => {
  it('the sweep skips a ticket another transaction holds, leaving its due events unfired for the next round', async () => {
    const { fireSlaEvent } = await import('../core/escalation/fire-sla-event.ts');
    const ref = await openTicket('anna', 'Firewall bloccato');
    const ticket = (await h.store.tickets.findByRef(ref))!;
    const event = (await h.store.sla.listEvents(ticket.id)).find((e) => !e.firedAt)!;
    h.clock.advance(30 * 24 * HOUR); // everything is due
    const opts = { store: h.store, clock: h.clock, defaultLocale: 'it' as const };
    let release: () => void = () => {};
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const held = h.store.transaction(async (repos) => {
      await repos.sla.lockTicket(ticket.id);
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await lockTaken;
    expect(await fireSlaEvent(opts, event.id, { skipBusy: true })).toBeUndefined();
    release();
    await held;
    expect((await h.store.sla.listEvents(ticket.id)).find((e) => e.id === event.id)?.firedAt).toBeNull();
    const fired = await fireSlaEvent(opts, event.id, { skipBusy: true });
    expect(fired?.event.id).toBe(event.id);
    expect(fired!.outbox).toBeGreaterThan(0);
  });
});
