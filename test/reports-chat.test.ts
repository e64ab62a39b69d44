/**
 * Reports in chat, on the engine: the time a volunteer gives, asked after resolving; the flow
 * report for the committee and an ICT lead's own organisation; the observers' anonymised
 * report and an organisation's consent to be named; the scheduled reports sent once per period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { sendMonthlyObserverReport, sendWeeklyFlowReport } from '../core/reports/send-reports.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let ref: string;
const COMMITTEE = { id: 'comitato', kind: 'channel' as const };
const OBSERVERS = { id: 'osservatori', kind: 'channel' as const };

const last = (who: string) => h.sender.to(who).at(-1)?.message;
const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';
const say = (who: string, text: string) => h.send({ from: who, text });
const fieldsOf = (who: string) => Object.fromEntries((last(who)?.fields ?? []).map((f) => [f.label, f.value]));

async function bind(purpose: 'committee' | 'observers', conversationId: string): Promise<void> {
  await h.store.channels.bind({
    purpose,
    platform: 'web',
    conversationId,
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });
}

beforeAll(async () => {
  h = await createHarness();
  const org = await h.org('Associazione Il Girasole ODV', '97000000001');
  const other = await h.org('Cooperativa Altrove', '97000000002');
  await h.person('anna', 'Anna Bianchi', ['requester'], org);
  await h.person('luca', 'Luca Referente', ['ict_lead'], org);
  await h.person('olga', 'Olga Altrove', ['ict_lead'], other);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('carla', 'Carla Comitato', ['committee']);
  await h.person('fede', 'Fede Fondazione', ['observer']);
  await h.bindVolunteers('volontari');
  await bind('committee', 'comitato');
  await bind('observers', 'osservatori');

  await say('anna', 'La stampante non stampa');
  await h.press('anna', 'intake.kind', 'incident');
  await h.press('anna', 'intake.impact', '2');
  await h.press('anna', 'intake.urgency', '1');
  await say('anna', 'La stampante della segreteria non stampa');
  await h.press('anna', 'intake.keep', '');
  await h.press('anna', 'intake.skip', '');
  const confirm = last('anna')?.buttons?.find((b) => b.actionId === 'intake.confirm');
  await h.press('anna', 'intake.confirm', confirm!.value);
  ref = /INC-\d{6}/.exec(lastText('anna'))![0];
  h.clock.advance(3_600_000);
  await say('vera', `prendi ${ref}`);
  h.clock.advance(3_600_000);
  await say('vera', `risolvi ${ref} toner sostituito`);
  h.clock.advance(60_000);
});
afterAll(() => h.close());

describe('the time given, asked after resolving', () => {
  it('the volunteer is asked how long it took and the answer is recorded', async () => {
    const ask = last('vera');
    expect(ask?.text).toContain(`Quanto tempo ti ha richiesto ${ref}?`);
    expect(ask?.buttons?.map((b) => b.label)).toEqual(['15 minuti', '30 minuti', '1 ora', '2 ore', 'mezza giornata', 'una giornata']);
    await h.press('vera', 'ticket.effort', `${ref}:30`);
    expect(lastText('vera')).toBe(`Grazie: per ${ref} ho registrato 30 minuti.`);
    const row = await h.tdb.db.selectFrom('tickets').select('effort_minutes').where('ref', '=', ref).executeTakeFirstOrThrow();
    expect(row.effort_minutes).toBe(30);
  });

  it('only the owner answers, and only with an offered value', async () => {
    await h.press('anna', 'ticket.effort', `${ref}:60`);
    expect(lastText('anna')).toContain(`Solo chi ha in carico ${ref}`);
    await h.press('vera', 'ticket.effort', `${ref}:7`);
    expect(lastText('vera')).toContain('Valore non valido');
    const row = await h.tdb.db.selectFrom('tickets').select('effort_minutes').where('ref', '=', ref).executeTakeFirstOrThrow();
    expect(row.effort_minutes).toBe(30);
  });
});

describe('the flow report on demand', () => {
  it('the committee reads the week, privately, with its figures', async () => {
    await h.send({ from: 'carla', text: 'report settimana', conversation: COMMITTEE });
    const sent = h.sender.to('comitato').at(-1);
    expect(sent?.ephemeralTo).toBe('carla');
    expect(sent?.message.title).toMatch(/^Report del flusso · /);
    const fields = Object.fromEntries((sent?.message.fields ?? []).map((f) => [f.label, f.value]));
    expect(fields['Aperti']).toBe('1 guasti, 0 richieste, 0 modifiche');
    expect(fields['Risolti o chiusi']).toBe('1 guasti, 0 richieste, 0 modifiche');
    expect(fields['Prima risposta nei tempi']).toBe('100% (1 su 1)');
  });

  it('an ICT lead reads their own organisation only', async () => {
    await say('luca', 'report settimana');
    expect(last('luca')?.title).toMatch(/^Report del flusso di Associazione Il Girasole ODV · /);
    await say('olga', 'report settimana');
    expect(fieldsOf('olga')['Aperti']).toBe('0 guasti, 0 richieste, 0 modifiche');
    await say('olga', 'report settimana 97000000001');
    expect(lastText('olga')).toBe('Non hai i permessi per questa operazione.');
  });

  it('a requester and an observer cannot read the flow report; a wrong period gets the usage', async () => {
    await say('anna', 'report settimana');
    expect(lastText('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('fede', 'report settimana');
    expect(lastText('fede')).toBe('Non hai i permessi per questa operazione.');
    await say('carla', 'report');
    expect(lastText('carla')).toMatch(/^Uso: report settimana\|mese/);
  });

  it('in English', async () => {
    await say('carla', 'lingua en');
    await say('carla', 'report week');
    expect(last('carla')?.title).toMatch(/^Flow report · /);
    expect(fieldsOf('carla')['Opened']).toBe('1 incidents, 0 requests, 0 changes');
    await say('carla', 'language it');
  });
});

describe("the observers' report and consent to be named", () => {
  it('aggregates, and names an organisation only once its ICT lead agreed', async () => {
    await say('fede', 'report pubblico mese');
    expect(last('fede')?.title).toMatch(/^Report per osservatori e finanziatori · /);
    expect(fieldsOf('fede')['Richieste servite']).toBe('1: 1 dai volontari, 0 dai fornitori, per 1 organizzazioni');
    expect(fieldsOf('fede')['Ore donate dai volontari']).toBe('0.5 ore dichiarate su 1 ticket (0 senza tempo indicato)');
    expect(last('fede')?.text).not.toContain('Girasole');

    await say('olga', 'nominaci sì 97000000001');
    expect(lastText('olga')).toBe('Non hai i permessi per questa operazione.');
    await say('luca', 'nominaci sì');
    expect(lastText('luca')).toBe('Associazione Il Girasole ODV sarà nominata nei report per osservatori e finanziatori.');
    await say('fede', 'report pubblico mese');
    expect(last('fede')?.text).toContain('Associazione Il Girasole ODV: 1');
  });
});

describe('the scheduled reports', () => {
  it('the week and the month are each sent once, however often the schedule runs', async () => {
    h.clock.advance(7 * 86_400_000); // the next Monday
    const ctx = () => ({
      repos: h.store,
      clock: h.clock,
      actor: Actor.system(),
      notifier: new Notifier(h.store, 'it'),
      defaultLocale: 'it' as const,
    });
    const send = async (work: typeof sendWeeklyFlowReport) =>
      h.store.transaction(async (repos) => {
        const c = { ...ctx(), repos, notifier: new Notifier(repos, 'it') };
        const r = await work(c);
        await c.notifier.flush(h.clock.now());
        return r;
      });
    expect(await send(sendWeeklyFlowReport)).toEqual({ sent: true, key: '2026-03-02' });
    expect(await send(sendWeeklyFlowReport)).toEqual({ sent: false, key: '2026-03-02' });
    await h.dispatcher.drain();
    const weekly = h.sender.to('comitato').filter((d) => !d.ephemeralTo && d.message.title?.startsWith('Report del flusso'));
    expect(weekly).toHaveLength(1);
    expect(weekly[0]?.message.fields?.find((f) => f.label === 'Aperti')?.value).toBe('1 guasti, 0 richieste, 0 modifiche');

    expect((await send(sendMonthlyObserverReport)).sent).toBe(true);
    expect((await send(sendMonthlyObserverReport)).sent).toBe(false);
    await h.dispatcher.drain();
    expect(h.sender.to('osservatori').filter((d) => d.message.title?.startsWith('Report per osservatori'))).toHaveLength(1);
  });
});
