/**
 * What people do during the simulation, each through the product's own path in the running
 * app: a requester's intake in chat (four events through the conversation engine), a ticket
 * through the `createTicket` use case, an open dashboard page (its live stream, and the overview
 * fetched again on every change, as the page's script does), a community search, and SLA
 * targets falling due (rows written for open tickets; the app's timer pump and BullMQ fire them).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sql } from 'kysely';
import type { App } from '../../app/main.ts';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import { LINK_TTL_MS } from '../../core/dashboard/dashboard.ts';
import type { Inbound } from '../../core/kernel/message.ts';

export function request(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A requester (web identity `req<k>`, loaded in phase 1) completes the shorter intake; returns each event's latency. */
export async function intake(app: App, engine: ConversationEngine, k: number): Promise<number[]> {
  const who = `req${k}`;
  const out: number[] = [];
  const send = async (e: Pick<Inbound, 'text' | 'action'>) => {
    const t0 = performance.now();
    const r = await engine.handle({
      platform: 'web',
      deliveryId: randomUUID(),
      conversation: { id: who, kind: 'dm' },
      sender: { externalId: who },
      ...e,
    });
    out.push(performance.now() - t0);
    if (r.status !== 'handled') throw new Error(`intake event of ${who}: ${r.status}`);
  };
  await send({ text: 'La stampante della segreteria non stampa più da stamattina, dà errore di coda' });
  await send({ action: { id: 'intake.impact', value: '2' } });
  await send({ action: { id: 'intake.urgency', value: '2' } });
  const dialog = await app.db.selectFrom('dialogs').select('state').where('key', 'like', `web:${who}:%`).executeTakeFirst();
  const dialogId = (dialog?.state as { dialogId?: string } | undefined)?.dialogId;
  if (!dialogId) throw new Error(`no intake dialog for ${who}`);
  await send({ action: { id: 'intake.confirm', value: dialogId } });
  return out;
}

export async function signIn(app: App, personId: string): Promise<string> {
  const token = await app.store.dashboard.createLink(personId, new Date(), new Date(Date.now() + LINK_TTL_MS));
  const res = await request(app.port, 'POST', '/cruscotto/entra', { 'content-type': 'application/x-www-form-urlencoded' }, `t=${token}`);
  if (res.status !== 303) throw new Error(`dashboard sign-in answered ${res.status}`);
  return String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
}

export async function overview(app: App, cookie: string): Promise<void> {
  const res = await request(app.port, 'GET', '/cruscotto/api/overview', { cookie });
  if (res.status !== 200) throw new Error(`overview answered ${res.status}`);
}

/**
 * An open dashboard page: its event stream, and on every `change` the overview fetched again
 * (one at a time; a change during a fetch makes one more fetch after it).
 */
export function openPage(app: App, cookie: string, latencies: number[]): { close(): void; changes(): number } {
  let inFlight = false;
  let dirty = false;
  let changes = 0;
  let closed = false;
  const refresh = async (): Promise<void> => {
    if (inFlight) {
      dirty = true;
      return;
    }
    inFlight = true;
    do {
      dirty = false;
      const t0 = performance.now();
      await overview(app, cookie).catch(() => undefined);
      if (!closed) latencies.push(performance.now() - t0);
    } while (dirty && !closed);
    inFlight = false;
  };
  let buffer = '';
  const req = http.get({ host: '127.0.0.1', port: app.port, path: '/cruscotto/api/events', headers: { cookie } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (frame.startsWith('event: change') && !closed) {
          changes++;
          void refresh();
        }
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  return {
    close: () => {
      closed = true;
      req.destroy();
    },
    changes: () => changes,
  };
}

/** `n` SLA breach targets of open tickets due over [from, from + spreadMs); returns their ids. */
export async function slaTargetsDue(app: App, n: number, from: Date, spreadMs: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    insert into sla_events (ticket_id, target, kind, due_at, created_at)
    select id, 'response', 'breach', ${from}::timestamptz + (row_number() over () - 1) * ${spreadMs / Math.max(1, n)}::float8 * interval '1 millisecond', now()
    from (select t.id from tickets t where t.status in ('new', 'assigned', 'in_progress')
            and not exists (select 1 from sla_events e where e.ticket_id = t.id and e.fired_at is null and e.target = 'response' and e.kind = 'breach')
          limit ${n}) x
    returning id`.execute(app.db);
  return rows.map((r) => r.id);
}

/** Lateness (fired_at − due_at, ms) of the given events that fired; how many did not. */
export async function slaLateness(app: App, ids: readonly string[]): Promise<{ lateness: number[]; unfired: number; firedAt: number[] }> {
  const { rows } = await sql<{ due: Date; fired: Date | null }>`
    select due_at as due, fired_at as fired from sla_events where id = any(${ids}::uuid[])`.execute(app.db);
  const fired = rows.filter((r) => r.fired);
  return {
    lateness: fired.map((r) => r.fired!.getTime() - r.due.getTime()),
    firedAt: fired.map((r) => r.fired!.getTime()),
    unfired: rows.length - fired.length,
  };
}
