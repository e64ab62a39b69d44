/**
 * The agent's disk buffer against a real ingest endpoint reached through a TCP proxy the test
 * can cut: while the server is unreachable the batches wait on disk; an answer lost after the
 * server stored a report makes the agent resend it, and the server keeps it once; when the
 * server is back everything is delivered in order, once; a full buffer drops the oldest batches
 * and says how many.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type AgentLog } from '../agent/agent.ts';
import { AgentClient } from '../agent/client.ts';
import { validateConfig } from '../agent/config.ts';
import { currentPlatform } from '../agent/platform/index.ts';
import type { Credentials } from '../agent/state.ts';
import { agentIngestRoutes } from '../app/agent-ingest.ts';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { createEnrolmentCode } from '../core/alerts/enrolment.ts';
import { ENROL_PATH, type WireEnrolResponse } from '../core/alerts/protocol.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { createOrganisation } from '../core/people/register.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

type Mode = 'up' | 'down' | 'lose-answers';

/** A TCP proxy to the server: forwards, refuses connections, or drops the server's answers. */
class Proxy {
  mode: Mode = 'up';
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly target: number) {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.mode === 'down') return void client.destroy();
      const upstream = net.connect(this.target, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      client.pipe(upstream);
      // The request reaches the server, which stores the report; its answer never comes back.
      if (this.mode === 'lose-answers') upstream.once('data', () => client.destroy());
      else upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

let tdb: TestDatabase;
let store: KyselyStore;
let http: HttpServer;
let proxy: Proxy;
let work: string;
let proxyUrl: string;
const clock = { now: () => new Date() };
const FISCAL = '97000000222';
const quiet: AgentLog = { info() {}, warn() {}, error() {} };

const count = async (table: string): Promise<number> =>
  Number(
    (
      await tdb.db
        .withTables<Record<string, { x: number }>>()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function enrol(server: string, hostname: string): Promise<Credentials> {
  const code = await store.transaction(async (repos) => {
    const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
    return (await createEnrolmentCode(ctx, { fiscalCode: FISCAL })).code;
  });
  const res = await new AgentClient(server).post(ENROL_PATH, { code, hostname, agentVersion: 'test' });
  expect(res.status).toBe(200);
  const r = res.body as WireEnrolResponse;
  return {
    server,
    agentId: r.agentId,
    secret: r.secret,
    organisation: r.organisation,
    configurationItem: r.configurationItem,
    enrolledAt: '',
  };
}

function agentFor(credentials: Credentials, name: string, spool?: { maxBatches: number }): Agent {
  const dir = path.join(work, name);
  const backup = path.join(dir, 'backup.tar');
  mkdirSync(dir, { recursive: true });
  writeFileSync(backup, 'x'.repeat(10));
  utimesSync(backup, new Date(), new Date());
  const config = validateConfig(
    {
      interval: '60s',
      stateDir: dir,
      ...(spool ? { spool } : {}),
      checks: [
        { id: 'backup', kind: 'file_age', path: backup, warn: '26h', crit: '48h' },
        { id: 'memoria', kind: 'memory', warn: 99.9 },
      ],
    },
    work,
  );
  return new Agent({ config, credentials, platform: currentPlatform(), log: quiet });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  await store.transaction((repos) => createOrganisation(repos, clock, { name: 'Associazione Tampone', fiscalCode: FISCAL }));
  http = createHttpServer({
    log: { debug() {}, warn() {}, error() {} },
    health: async () => ({ ok: true }),
    metrics: { contentType: 'text/plain', render: async () => '' },
  });
  http.addRoutes(agentIngestRoutes({ store, clock, defaultLocale: 'it', log: { warn() {}, info() {} } }));
  const port = await http.listen(0, '127.0.0.1');
  proxy = new Proxy(port);
  proxyUrl = `http://127.0.0.1:${await proxy.listen()}`;
  work = mkdtempSync(path.join(os.tmpdir(), 'sportello-agent-buffer-'));
});

afterAll(async () => {
  await proxy?.close();
  await http?.close();
  await tdb?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('the agent buffer', () => {
  it('keeps batches on disk while the server is down and delivers each once when it is back', async () => {
    const creds = await enrol(proxyUrl, 'pc-tampone');
    const agent = agentFor(creds, 'a');

    proxy.mode = 'down';
    for (let i = 0; i < 4; i++) expect((await agent.cycle()).kind).toBe('unreachable');
    expect(agent.buffered).toBe(4);
    expect(readdirSync(path.join(work, 'a', 'spool')).filter((f) => f.endsWith('.json'))).toHaveLength(4);
    expect(await count('agent_batches')).toBe(0);

    // The server gets the report and stores it, but the answer is lost: the agent keeps the batches.
    proxy.mode = 'lose-answers';
    expect((await agent.cycle()).kind).toBe('unreachable');
    expect(agent.buffered).toBe(5);
    await expect.poll(() => count('agent_batches')).toBe(5);

    // Back: the 5 are resent with a new one; the server takes the new one and skips the 5.
    proxy.mode = 'up';
    const outcome = await agent.cycle();
    expect(outcome).toEqual({ kind: 'sent', batches: 6 });
    expect(agent.buffered).toBe(0);
    expect(await count('agent_batches')).toBe(6);
    // Two results per batch (backup, memory), each stored once.
    expect(await count('check_results')).toBe(12);
    const seen = await store.monitoring.findAgent(creds.agentId);
    expect(seen?.lastSeenAt).not.toBeNull();
    // Results keep the time they were observed, in order, not the time they arrived.
    const times = await tdb.db
      .withTables<{ check_results: { observed_at: Date; fingerprint: string } }>()
      .selectFrom('check_results')
      .select('observed_at')
      .where('fingerprint', 'like', `${creds.agentId}|backup|%`)
      .orderBy('observed_at')
      .execute();
    expect(new Set(times.map((t) => t.observed_at.getTime())).size).toBe(6);
    await agent.stop();
  });

  it('is bounded: when full it drops the oldest batches and reports how many', async () => {
    const creds = await enrol(proxyUrl, 'pc-piccolo');
    const agent = agentFor(creds, 'b', { maxBatches: 3 });
    proxy.mode = 'down';
    for (let i = 0; i < 5; i++) await agent.cycle();
    expect(agent.buffered).toBe(3);
    const files = readdirSync(path.join(work, 'b', 'spool')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(3);
    expect(files.every((f) => statSync(path.join(work, 'b', 'spool', f)).size < 5000)).toBe(true);
    proxy.mode = 'up';
    expect(await agent.cycle()).toEqual({ kind: 'sent', batches: 3 });
    expect((await store.monitoring.findAgent(creds.agentId))?.droppedBatches).toBe(3);
    await agent.stop();
  });
});
