/**
 * The alert pipeline on a real database with a controlled clock: reports (as the ingest route
 * hands them over) → hysteresis → one alert and one chat message per fingerprint, edited as it
 * changes; incidents for critical alerts; flapping; silences by command; the buttons; snooze
 * wearing off; reopening within the window; the noisy-checks report; agent offline and back.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent } from '../core/alerts/enrolment.ts';
import { ingestReport } from '../core/alerts/ingest.ts';
import { type Alert, AlertRef } from '../core/alerts/model.ts';
import type { CheckStatus, WireReport, WireResult } from '../core/alerts/protocol.ts';
import { sweepMonitoring } from '../core/alerts/watchdog.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let orgId: string;
let agentId: string;
const MIN = 60_000;

beforeAll(async () => {
  h = await createHarness();
  orgId = await h.org('Associazione Il Girasole ODV', '97000000001');
  await h.person('luca', 'Luca Referente', ['ict_lead'], orgId);
  await h.person('anna', 'Anna Richiedente', ['requester'], orgId);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.bindVolunteers('volontari');
  await h.store.channels.bind({
    purpose: 'alerts',
    platform: 'web',
    conversationId: 'allerte',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });

  // The ICT lead asks for a code in chat; the agent presents it.
  await h.send({ from: 'luca', text: 'agente' });
  const code = /--code ([A-Z0-9]{8})/.exec(h.sender.texts('luca').at(-1) ?? '')?.[1];
  expect(code).toBeDefined();
  const enrolled = await h.store.transaction((repos) =>
    enrolAgent({ repos, clock: h.clock, defaultLocale: 'it' }, { code: code!, hostname: 'pc-segreteria', agentVersion: 'test' }),
  );
  agentId = enrolled.agent.id;
  await h.dispatcher.drain();
  expect(h.sender.texts('luca').at(-1)).toMatch(/pc-segreteria .* è registrato: la macchina è CI-\d{6}/);
});
afterAll(() => h.close());

const result = (check: string, status: CheckStatus, at: Date, over: Partial<WireResult> = {}): WireResult => ({
  check,
  kind: 'disk',
  target: `/${check}`,
  status,
  value: status === 'ok' ? 40 : status === 'warn' ? 85 : 95,
  unit: '%',
  message: `${status} sample`,
  observedAt: at.toISOString(),
  forSeconds: 300,
  recoverySeconds: 300,
  ...over,
});

/** Sends one report whose batch holds one sample per minute, ending now; the clock moves to its end. */
async function samples(check: string, pattern: string, over: Partial<WireResult> = {}): Promise<void> {
  const codes: Record<string, CheckStatus> = { o: 'ok', w: 'warn', c: 'crit', u: 'unknown' };
  const batches = [...pattern].map((ch, i) => {
    if (i > 0) h.clock.advance(MIN);
    return { id: randomUUID(), createdAt: h.clock.now().toISOString(), results: [result(check, codes[ch]!, h.clock.now(), over)] };
  });
  await report({ batches });
}

async function report(over: Partial<WireReport>): Promise<void> {
  const payload: WireReport = { agentVersion: 'test', heartbeat: { periodSeconds: 60, graceSeconds: 120 }, batches: [], ...over };
  const outcome = await h.store.transaction((repos) =>
    ingestReport({ repos, clock: h.clock, defaultLocale: 'it' }, agentId, randomBytes(16).toString('hex'), payload),
  );
  expect(outcome.kind).toBe('stored');
  await h.dispatcher.drain();
}

const alertsOf = async (check: string): Promise<Alert[]> => {
  const rows = await h.tdb.db
    .withTables<{ alerts: { id: string; check_id: string; opened_at: Date } }>()
    .selectFrom('alerts')
    .select('id')
    .where('check_id', '=', check)
    .orderBy('opened_at')
    .execute();
  return Promise.all(rows.map(async (r) => (await h.store.monitoring.findAlert(r.id))!));
};

/** Deliveries to the alerts channel for one alert: the first posts, the rest edit that message. */
const deliveriesOf = (alert: Alert) => h.sender.to('allerte').filter((d) => d.message.title?.includes(AlertRef.format(alert.number)));

describe('hysteresis and dedupe, end to end in the database', () => {
  it('a check bad for its `for` fires once: one message, then edits of that message', async () => {
    await samples('dati', 'oocccc'); // crit for 3 minutes: not yet
    expect(await alertsOf('dati')).toHaveLength(0);
    await samples('dati', 'ccc'); // 5 minutes bad → fires (crit → incident)
    const [alert] = await alertsOf('dati');
    expect(alert).toMatchObject({ state: 'firing', severity: 'crit' });
    expect(alert!.incidentId).not.toBeNull();
    await samples('dati', 'cccccc'); // keeps failing
    expect(await alertsOf('dati')).toHaveLength(1);
    const sent = deliveriesOf(alert!);
    expect(sent[0]!.editMessageId).toBeUndefined();
    expect(sent.slice(1).every((d) => d.editMessageId === sent[0]!.messageId)).toBe(true);
    // One incident, linked to the machine, with a card for the volunteers.
    const incident = await h.store.tickets.findById(alert!.incidentId!);
    expect(incident?.configurationItemId).toBe(alert!.configurationItemId);
    expect((await h.store.configurationItems.find(incident!.configurationItemId!))?.name).toBe('pc-segreteria');
    expect(h.sender.to('volontari').some((d) => d.message.title?.startsWith(incident!.ref))).toBe(true);
  });

  it('a flapping check never fires', async () => {
    await samples('flap', 'cocococococococococo');
    expect(await alertsOf('flap')).toHaveLength(0);
  });

  it('a warning stays a warning without incident, and escalates (same message) once critical long enough', async () => {
    await samples('warn', 'wwwwww');
    const [a] = await alertsOf('warn');
    expect(a).toMatchObject({ severity: 'warn', incidentId: null });
    await samples('warn', 'cccccc');
    const [b] = await alertsOf('warn');
    expect(b).toMatchObject({ id: a!.id, severity: 'crit' });
    expect(b!.incidentId).not.toBeNull();
    const sent = deliveriesOf(b!);
    expect(sent.filter((d) => !d.editMessageId)).toHaveLength(1);
    expect(sent.at(-1)!.message.title).toMatch(/^🔴/);
  });

  it('resolves after the recovery period (noted on the incident), and a relapse soon after reopens the same alert', async () => {
    const [firing] = await alertsOf('dati');
    await samples('dati', 'oocoooooo'); // a bad blip restarts recovery
    let [a] = await alertsOf('dati');
    expect(a!.state).toBe('resolved');
    const comments = await h.store.tickets.listComments(a!.incidentId!);
    expect(comments.at(-1)?.body).toContain(`${AlertRef.format(a!.number)} si è risolta`);
    expect(deliveriesOf(a!).at(-1)!.message.title).toMatch(/^✅/);

    h.clock.advance(10 * MIN);
    await samples('dati', 'cccccc');
    [a] = await alertsOf('dati');
    expect(await alertsOf('dati')).toHaveLength(1);
    expect(a).toMatchObject({ id: firing!.id, state: 'firing', flaps: 1 });
    expect(deliveriesOf(a!).filter((d) => !d.editMessageId)).toHaveLength(1);
  });

  it('a stale sample (older than what the check saw) is kept but does not move the state', async () => {
    const before = await alertsOf('dati');
    await report({
      batches: [
        {
          id: randomUUID(),
          createdAt: h.clock.now().toISOString(),
          results: [result('dati', 'ok', new Date(h.clock.now().getTime() - 30 * MIN))],
        },
      ],
    });
    expect(await alertsOf('dati')).toEqual(before);
  });
});

describe('the buttons and the watchdog', () => {
  it('only people who work alerts may press them', async () => {
    const [a] = await alertsOf('dati');
    await h.press('anna', 'alert.ack', a!.id, { id: 'allerte', kind: 'channel' });
    const answer = h.sender
      .to('allerte')
      .filter((d) => d.ephemeralTo === 'anna')
      .at(-1);
    expect(answer?.message.text).toContain('Non trovo questa allerta');
    expect((await h.store.monitoring.findAlert(a!.id))!.state).toBe('firing');
  });

  it('acknowledge; snooze 1 h wears off (firing again); a claim takes the incident', async () => {
    const [a] = await alertsOf('dati');
    await h.press('vera', 'alert.ack', a!.id, { id: 'allerte', kind: 'channel' });
    expect(await h.store.monitoring.findAlert(a!.id)).toMatchObject({ state: 'acknowledged' });
    await h.press('vera', 'alert.ack', a!.id, { id: 'allerte', kind: 'channel' });
    expect(h.sender.texts('allerte').at(-1)).toContain('già stata gestita');

    await h.press('vera', 'alert.snooze', a!.id, { id: 'allerte', kind: 'channel' });
    const snoozed = await h.store.monitoring.findAlert(a!.id);
    expect(snoozed!.snoozedUntil!.getTime()).toBe(h.clock.now().getTime() + 60 * MIN);
    expect(JSON.stringify(deliveriesOf(a!).at(-1)!.message.fields)).toContain('silenziata fino a');
    h.clock.advance(30 * MIN);
    await report({ batches: [] }); // the agent is alive meanwhile
    expect((await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).woken).toBe(0);
    h.clock.advance(31 * MIN);
    await report({ batches: [] }); // the agent is alive meanwhile
    expect((await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).woken).toBe(1);
    await h.dispatcher.drain();
    expect(await h.store.monitoring.findAlert(a!.id)).toMatchObject({ state: 'firing', snoozedUntil: null });

    await h.press('vera', 'alert.claim', a!.id, { id: 'allerte', kind: 'channel' });
    const incident = await h.store.tickets.findById(a!.incidentId!);
    expect(incident).toMatchObject({ status: 'assigned' });
    expect((await h.store.people.findPerson(incident!.assigneeId!))?.displayName).toBe('Vera Volontaria');
    expect(await h.store.monitoring.findAlert(a!.id)).toMatchObject({ state: 'acknowledged' });
    const last = deliveriesOf(a!).at(-1)!;
    expect(last.message.buttons?.map((b) => b.actionId)).not.toContain('alert.claim');
    expect(JSON.stringify(last.message.fields)).toContain('Vera Volontaria');
  });

  it('a warning acknowledged and then turning critical still opens its incident', async () => {
    await samples('ack-then-crit', 'wwwwww');
    const [a] = await alertsOf('ack-then-crit');
    expect(a).toMatchObject({ severity: 'warn', incidentId: null });
    await h.press('vera', 'alert.ack', a!.id, { id: 'allerte', kind: 'channel' });
    await samples('ack-then-crit', 'cccccc');
    const [b] = await alertsOf('ack-then-crit');
    expect(b).toMatchObject({ id: a!.id, severity: 'crit', state: 'acknowledged' });
    expect(b!.incidentId).not.toBeNull();
  });

  it('claiming a warning opens its incident first', async () => {
    await samples('solo-warn', 'wwwwww');
    const [a] = await alertsOf('solo-warn');
    expect(a!.incidentId).toBeNull();
    await h.press('vera', 'alert.claim', a!.id, { id: 'allerte', kind: 'channel' });
    const after = await h.store.monitoring.findAlert(a!.id);
    expect(after!.incidentId).not.toBeNull();
    expect((await h.store.tickets.findById(after!.incidentId!))?.status).toBe('assigned');
  });

  it('false alarms are recorded per check; "rumorosi" lists the noisiest checks', async () => {
    await samples('rumore', 'wwwwww');
    const [a] = await alertsOf('rumore');
    await h.press('vera', 'alert.false_alarm', a!.id, { id: 'allerte', kind: 'channel' });
    expect(await h.store.monitoring.findAlert(a!.id)).toMatchObject({ state: 'acknowledged' });
    expect((await h.store.monitoring.findAlert(a!.id))!.falseAlarmAt).not.toBeNull();
    await h.send({ from: 'vera', text: 'rumorosi' });
    const noisy = h.sender.texts('vera').at(-1)!;
    expect(noisy).toContain('I controlli più rumorosi');
    expect(noisy).toMatch(/\| 1\. rumore \(Spazio su disco, \/rumore\) su pc-segreteria: 1 falsi allarmi su 1 allerte/);
    await h.send({ from: 'anna', text: 'rumorosi' });
    expect(h.sender.texts('anna').at(-1)).toContain('Non hai i permessi');
  });
});

describe('silences', () => {
  it('"silenzia <macchina> <durata>" holds new alerts back until it ends; then a still-bad check fires at once', async () => {
    await h.send({ from: 'luca', text: 'silenzia pc-segreteria 2h aggiornamento di Windows' });
    expect(h.sender.texts('luca').at(-1)).toMatch(/niente nuove allerte per CI-\d{6} pc-segreteria fino a .* \(aggiornamento di Windows\)/);
    await samples('zitto', 'cccccccccc');
    expect(await alertsOf('zitto')).toHaveLength(0);
    h.clock.advance(2 * 60 * MIN);
    await samples('zitto', 'c');
    expect(await alertsOf('zitto')).toHaveLength(1);
  });

  it('refuses strangers, bad durations and unknown machines; lists the active silences', async () => {
    await h.send({ from: 'anna', text: 'silenzia pc-segreteria 1h' });
    expect(h.sender.texts('anna').at(-1)).toContain('Non hai i permessi');
    await h.send({ from: 'luca', text: 'silenzia pc-inesistente 1h' });
    expect(h.sender.texts('luca').at(-1)).toContain('Non trovo una sola macchina');
    await h.send({ from: 'luca', text: 'silenzia pc-segreteria domani' });
    expect(h.sender.texts('luca').at(-1)).toContain('Uso: silenzia');
    await h.send({ from: 'luca', text: 'silenzia 97000000001 30m trasloco' });
    expect(h.sender.texts('luca').at(-1)).toContain('Associazione Il Girasole ODV');
    await h.send({ from: 'luca', text: 'silenzia' });
    expect(h.sender.texts('luca').at(-1)).toMatch(/Silenzi attivi:\n• Associazione Il Girasole ODV fino a .* \(trasloco\)/);
    await h.send({ from: 'anna', text: 'silenzia 97000000001 30m' });
    expect(h.sender.texts('anna').at(-1)).toContain('Non hai i permessi');
    h.clock.advance(31 * MIN); // the organisation's 30-minute silence is over
  });
});

describe('alerts channels', () => {
  it("an organisation's own alerts channel gets its alerts, another organisation's does not; the global one gets all", async () => {
    await h.org('Cooperativa La Rondine', '97000000002');
    await h.send({ from: 'marco', text: 'canale allerte 97000000001', conversation: { id: 'allerte-girasole', kind: 'channel' } });
    expect(h.sender.texts('allerte-girasole').at(-1)).toBe(
      'Questo canale è ora il canale allerte di Sportello per Associazione Il Girasole ODV.',
    );
    await h.send({ from: 'marco', text: 'canale allerte 97000000002', conversation: { id: 'allerte-rondine', kind: 'channel' } });
    await samples('canali', 'wwwwww');
    const [a] = await alertsOf('canali');
    const about = (conversation: string) => h.sender.to(conversation).filter((d) => d.message.title?.includes(AlertRef.format(a!.number)));
    expect(about('allerte-girasole')).toHaveLength(1);
    expect(about('allerte-rondine')).toHaveLength(0);
    expect(about('allerte')).toHaveLength(1);
  });
});

describe('agents and heartbeats', () => {
  it('only staff and ICT leads get enrolment codes; "agenti" shows the agents', async () => {
    await report({ batches: [] }); // a heartbeat after the silences above ran out
    await h.send({ from: 'anna', text: 'agente' });
    expect(h.sender.texts('anna').at(-1)).toContain('Non hai i permessi');
    await h.send({ from: 'marco', text: 'agente' });
    expect(h.sender.texts('marco').at(-1)).toContain('Uso: agente');
    await h.send({ from: 'marco', text: 'agent 97000000001' });
    expect(h.sender.texts('marco').at(-1)).toMatch(/--code [A-Z0-9]{8}/);
    await h.send({ from: 'vera', text: 'agenti' });
    expect(h.sender.texts('vera').at(-1)).toMatch(/CI-\d{6} · pc-segreteria · Associazione Il Girasole ODV · attivo/);
  });

  it('a missing heartbeat raises a distinct "agent offline" alert; the next report resolves it', async () => {
    h.clock.advance(2 * MIN);
    expect((await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).offline).toBe(0);
    h.clock.advance(2 * MIN);
    const swept = await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' });
    expect(swept.offline).toBe(1);
    await h.dispatcher.drain();
    const offline = (await alertsOf('heartbeat')).at(-1);
    expect(offline).toMatchObject({ kind: 'agent_offline', state: 'firing', severity: 'warn', incidentId: null });
    expect(deliveriesOf(offline!)[0]!.message.text).toContain("L'agente di pc-segreteria non si fa sentire da");
    expect((await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).offline).toBe(0);
    await h.send({ from: 'vera', text: 'agenti' });
    expect(h.sender.texts('vera').at(-1)).toContain('non risponde');

    await report({ batches: [] });
    expect((await alertsOf('heartbeat')).at(-1)).toMatchObject({ id: offline!.id, state: 'resolved' });
    expect(deliveriesOf(offline!).at(-1)!.message.title).toMatch(/^✅/);
  });
});
