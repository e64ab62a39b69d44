/**
 * Revoking a monitoring agent, end to end: the agent enrolled and reporting over real HTTP (the
 * ingest route on a controlled clock), an alert firing and the agent going offline, then
 * `agente revoca` in chat — refused to a requester, a volunteer and another organisation's ICT
 * lead; done by the organisation's ICT lead: its open alerts resolved (the same messages
 * edited), the decision announced, its next signed report refused with 401 and nothing stored,
 * no "offline" alert ever after. A machine enrolled again under the same name is told apart.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentIngestRoutes } from '../app/agent-ingest.ts';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { type Alert, AlertRef } from '../core/alerts/model.ts';
import {
  AGENT_HEADERS,
  type CheckStatus,
  ENROL_PATH,
  REPORT_PATH,
  signRequest,
  type WireEnrolResponse,
  type WireReport,
} from '../core/alerts/protocol.ts';
import { sweepMonitoring } from '../core/alerts/watchdog.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let http: HttpServer;
let base: string;
let creds: WireEnrolResponse;
let lucaId: string;
const MIN = 60_000;
const channel = { id: 'allerte', kind: 'channel' as const };

async function post(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Enrols a machine with a code the ICT lead gets in chat. */
async function enrol(hostname: string): Promise<WireEnrolResponse> {
  await h.send({ from: 'luca', text: 'agente' });
  const code = /--code ([A-Z0-9]{8})/.exec(h.sender.texts('luca').at(-1) ?? '')?.[1];
  const res = await post(ENROL_PATH, {}, JSON.stringify({ code, hostname, agentVersion: 'test' }));
  expect(res.status).toBe(200);
  return res.body as unknown as WireEnrolResponse;
}

/** A signed report (on the test clock) with one disk sample per minute up to now; delivers its messages. */
async function report(statuses: CheckStatus[] = [], who: WireEnrolResponse = creds) {
  const now = h.clock.now().getTime();
  const batches = statuses.map((status, i) => {
    const at = new Date(now - (statuses.length - 1 - i) * MIN).toISOString();
    const result = {
      check: 'disco',
      kind: 'disk',
      target: '/srv',
      status,
      value: status === 'ok' ? 40 : 97,
      unit: '%',
      message: `${status}`,
      observedAt: at,
      forSeconds: 300,
      recoverySeconds: 300,
    };
    return { id: randomUUID(), createdAt: at, results: [result] };
  });
  const payload: WireReport = { agentVersion: 'test', heartbeat: { periodSeconds: 60, graceSeconds: 120 }, batches } as WireReport;
  const body = JSON.stringify(payload);
  const timestamp = String(now);
  const nonce = randomBytes(16).toString('hex');
  const res = await post(
    REPORT_PATH,
    {
      [AGENT_HEADERS.agent]: who.agentId,
      [AGENT_HEADERS.timestamp]: timestamp,
      [AGENT_HEADERS.nonce]: nonce,
      [AGENT_HEADERS.signature]: signRequest(who.secret, timestamp, nonce, body),
    },
    body,
  );
  await h.dispatcher.drain();
  return res;
}

/** Rows a report writes: a refused one must change none. */
async function stored(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['agent_nonces', 'agent_batches', 'check_results', 'check_states', 'alerts', 'outbox']) {
    const r = await h.tdb.db
      .withTables<Record<string, { x: number }>>()
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}

async function alertsOfAgent(agentId: string): Promise<Alert[]> {
  const rows = await h.tdb.db
    .withTables<{ alerts: { id: string; agent_id: string; number: string } }>()
    .selectFrom('alerts')
    .select('id')
    .where('agent_id', '=', agentId)
    .orderBy('number')
    .execute();
  return Promise.all(rows.map(async (r) => (await h.store.monitoring.findAlert(r.id))!));
}

const deliveriesOf = (alert: Alert) => h.sender.to('allerte').filter((d) => d.message.title?.includes(AlertRef.format(alert.number)));
const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';

beforeAll(async () => {
  h = await createHarness();
  const girasole = await h.org('Associazione Il Girasole ODV', '97000000001');
  const rondine = await h.org('Cooperativa La Rondine', '97000000002');
  lucaId = await h.person('luca', 'Luca Referente', ['ict_lead'], girasole);
  await h.person('anna', 'Anna Richiedente', ['requester'], girasole);
  await h.person('rita', 'Rita Referente', ['ict_lead'], rondine);
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

  http = createHttpServer({
    log: { debug() {}, warn() {}, error() {} },
    health: async () => ({ ok: true }),
    metrics: { contentType: 'text/plain', render: async () => '' },
  });
  http.addRoutes(agentIngestRoutes({ store: h.store, clock: h.clock, defaultLocale: 'it', log: { warn() {}, info() {} } }));
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  creds = await enrol('pc-segreteria');
});

afterAll(async () => {
  await http?.close();
  await h?.close();
});

describe('revoking a monitoring agent', () => {
  let open: Alert[];

  it('the agent has open alerts: a critical disk (with its incident) and "agent offline"', async () => {
    expect((await report(['crit', 'crit', 'crit', 'crit', 'crit', 'crit'])).status).toBe(200);
    h.clock.advance(4 * MIN); // no report for interval + grace
    expect((await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).offline).toBe(1);
    await h.dispatcher.drain();
    open = await alertsOfAgent(creds.agentId);
    expect(open.map((a) => [a.kind, a.state])).toEqual([
      ['disk', 'firing'],
      ['agent_offline', 'firing'],
    ]);
    expect(open[0]!.incidentId).not.toBeNull();
  });

  it('is refused to a requester, a volunteer and the ICT lead of another organisation', async () => {
    await h.send({ from: 'anna', text: 'agente revoca pc-segreteria dismesso' });
    expect(lastText('anna')).toBe('Non hai i permessi per questa operazione.');
    await h.send({ from: 'vera', text: 'agente revoca pc-segreteria dismesso' });
    expect(lastText('vera')).toBe('Non hai i permessi per questa operazione.');
    // Another organisation's machine answers like an unknown one.
    await h.send({ from: 'rita', text: 'agent revoke pc-segreteria dismesso' });
    expect(lastText('rita')).toContain('Non trovo una sola macchina "pc-segreteria" (trovate: 0)');
    await h.send({ from: 'rita', text: `agent revoke ${creds.configurationItem} dismesso` });
    expect(lastText('rita')).toContain('Non trovo una sola macchina');
    await h.send({ from: 'rita', text: `agent revoke ${creds.agentId} dismesso` });
    expect(lastText('rita')).toContain('Non trovo una sola macchina');
    // A reason is required.
    await h.send({ from: 'luca', text: 'agente revoca pc-segreteria' });
    expect(lastText('luca')).toContain('agente revoca <CI-000042 | nome macchina> <motivo>');
    expect((await h.store.monitoring.findAgent(creds.agentId))?.revokedAt).toBeNull();
    expect((await alertsOfAgent(creds.agentId)).map((a) => a.state)).toEqual(['firing', 'firing']);
  });

  it("the organisation's ICT lead revokes it: its open alerts are resolved, each message edited, and the decision announced", async () => {
    await h.send({ from: 'luca', text: 'agente revoca pc-segreteria sostituito da un PC nuovo', conversation: channel });
    const answer = h.sender
      .to('allerte')
      .filter((d) => d.ephemeralTo === 'luca')
      .at(-1);
    expect(answer?.message.text).toBe(
      `Fatto: l'agente di ${creds.configurationItem} pc-segreteria (Associazione Il Girasole ODV) è revocato e i suoi rapporti saranno rifiutati. Allerte aperte chiuse: 2. Per rimetterlo in servizio va registrato di nuovo (agente).`,
    );
    const agent = await h.store.monitoring.findAgent(creds.agentId);
    expect(agent).toMatchObject({ revokedBy: lucaId, revokeReason: 'sostituito da un PC nuovo' });
    expect(agent!.revokedAt?.getTime()).toBe(h.clock.now().getTime());

    const after = await alertsOfAgent(creds.agentId);
    expect(after.map((a) => [a.id, a.state])).toEqual(open.map((a) => [a.id, 'resolved']));
    for (const alert of after) {
      const sent = deliveriesOf(alert);
      expect(sent.filter((d) => !d.editMessageId)).toHaveLength(1);
      expect(sent.slice(1).every((d) => d.editMessageId === sent[0]!.messageId)).toBe(true);
      const last = sent.at(-1)!.message;
      expect(last.title).toMatch(/^✅/);
      expect(last.fields?.find((f) => f.label === 'Agente revocato il')?.value).toBeTruthy();
      expect(last.buttons?.map((b) => b.actionId)).not.toContain('alert.claim');
    }
    expect(h.sender.texts('allerte').filter((x) => x.startsWith('Agente revocato:'))).toEqual([
      `Agente revocato: ${creds.configurationItem} pc-segreteria di Associazione Il Girasole ODV non è più monitorata. Deciso da Luca Referente: «sostituito da un PC nuovo». Allerte aperte chiuse: 2.`,
    ]);
  });

  it('its next signed report is refused with 401 and nothing is stored', async () => {
    const before = await stored();
    const res = await report(['ok']);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('bad_signature');
    expect(await stored()).toEqual(before);
  });

  it('it raises no "agent offline" alert afterwards, and is no longer listed', async () => {
    const before = await alertsOfAgent(creds.agentId);
    for (const minutes of [5, 60, 24 * 60]) {
      h.clock.advance(minutes * MIN);
      expect(await sweepMonitoring({ store: h.store, clock: h.clock, defaultLocale: 'it' })).toMatchObject({ offline: 0, woken: 0 });
    }
    expect(await alertsOfAgent(creds.agentId)).toEqual(before);
    await h.send({ from: 'luca', text: 'agenti' });
    expect(lastText('luca')).toBe('Nessun agente di monitoraggio registrato.');
    await h.send({ from: 'luca', text: 'agente revoca pc-segreteria di nuovo' });
    expect(lastText('luca')).toBe(`L'agente di ${creds.configurationItem} pc-segreteria è già stato revocato.`);
  });

  it('the machine enrolled again under the same name is the one a later revocation means', async () => {
    const again = await enrol('pc-segreteria');
    expect((await report(['ok'], again)).status).toBe(200);
    await h.send({ from: 'marco', text: 'agent revoke pc-segreteria reinstallato' });
    expect(lastText('marco')).toBe(
      `Fatto: l'agente di ${again.configurationItem} pc-segreteria (Associazione Il Girasole ODV) è revocato e i suoi rapporti saranno rifiutati. Allerte aperte chiuse: 0. Per rimetterlo in servizio va registrato di nuovo (agente).`,
    );
    expect((await h.store.monitoring.findAgent(again.agentId))?.revokeReason).toBe('reinstallato');
    expect((await report(['ok'], again)).status).toBe(401);
  });
});
