/**
 * Monitoring end to end on 127.0.0.1: the whole app (HTTP, engine, outbox, web chat, agent
 * ingest, watchdog) on a fresh database with the demo data; the ICT lead asks for an enrolment
 * code in the web chat; a real `sportello-agent` process enrols with it and reports every second;
 * a disk fills past its thresholds → one alert message in the alerts channel, edited as the
 * alert escalates (and one incident), never a second message; a volunteer claims it from the
 * button; the disk is freed → resolved and noted on the incident; the agent is killed → a
 * distinct "agent offline" alert.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { seedDemo } from '../app/seed-demo.ts';
import { type Services, startServices } from '../app/services.ts';
import type { OutMessage } from '../core/kernel/message.ts';
import { withDiskLock } from './disk-lock.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const AGENT_BIN = path.join(ROOT, 'bin', 'sportello-agent.cjs');
const MB = 1024 * 1024;
const STEP = 512 * MB;

let app: App;
let services: Services;
let tdb: TestDatabase;
let base: string;
let work: string;
let fillDir: string;
let agent: ChildProcess | undefined;

/** A filesystem whose usage the test moves: a large tmpfs when there is one, the temp folder otherwise. */
function fillRoot(): string {
  try {
    const s = statfsSync('/dev/shm');
    if (s.bavail * s.bsize > 8 * STEP) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return os.tmpdir();
}

async function fill(file: string, bytes: number): Promise<void> {
  const fh = await open(file, 'w');
  const chunk = Buffer.alloc(8 * MB, 1);
  for (let written = 0; written < bytes; written += chunk.length) await fh.write(chunk);
  await fh.close();
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

interface WebRow {
  id: string;
  conversation: string;
  message: OutMessage;
  created_at: Date;
  updated_at: Date;
}
const messagesIn = async (conversation: string): Promise<WebRow[]> =>
  (await app.db
    .withTables<{ web_messages: WebRow & { seq: number } }>()
    .selectFrom('web_messages')
    .select(['id', 'conversation', 'message', 'created_at', 'updated_at'])
    .where('conversation', '=', conversation)
    .orderBy('seq')
    .execute()) as WebRow[];
const alertMessages = async () => (await messagesIn('allerte')).filter((m) => /AL-\d{6}/.test(m.message.title ?? ''));
interface AlertRow {
  id: string;
  kind: string;
  severity: string;
  state: string;
  incident_id: string | null;
  configuration_item_id: string | null;
  opened_at: Date;
}
const alerts = () => app.db.withTables<{ alerts: AlertRow }>().selectFrom('alerts').selectAll().orderBy('opened_at').execute();

/** Runs the agent binary to completion. */
function runAgent(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(AGENT_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function webPost(route: 'send' | 'action', body: Record<string, string>): Promise<void> {
  const res = await fetch(`${base}/web/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await startApp(
    { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
    {
      log: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      onReady: async (ctx) => {
        await seedDemo(ctx.store, ctx.clock);
        services = await startServices(ctx);
      },
    },
  );
  base = `http://127.0.0.1:${app.port}`;
  work = mkdtempSync(path.join(os.tmpdir(), 'sportello-e2e-agent-'));
  fillDir = mkdtempSync(path.join(fillRoot(), 'sportello-e2e-disk-'));
}, 120_000);

afterAll(async () => {
  agent?.kill('SIGKILL');
  rmSync(fillDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  await app?.close();
  await tdb?.drop();
});

describe('monitoring end to end', () => {
  it('enrol in chat → disk alert (one message, edited) + incident → claim → resolved → agent offline', async () => {
    // 1. The ICT lead of Il Girasole asks for an enrolment code in the web chat.
    await webPost('send', { as: 'luca.ferrari', conversation: 'dm:luca.ferrari', text: 'agente' });
    const codeMessage = await until('the enrolment code', async () =>
      (await messagesIn('dm:luca.ferrari')).find((m) => /sportello-agent enroll/.test(m.message.text)),
    );
    const code = /--code ([A-Z0-9]{8})/.exec(codeMessage.message.text)![1]!;

    let agentLog = '';
    // Steps 2-8 fill a filesystem and measure it: not while another test fills it too.
    await withDiskLock(async () => {
      // 2. The agent's configuration: thresholds relative to the filesystem's real usage now.
      const s = statfsSync(fillDir);
      const used = (s.blocks - s.bfree) * s.bsize;
      const usable = used + s.bavail * s.bsize;
      const pct = (bytes: number) => Number((((used + bytes) / usable) * 100).toFixed(4));
      const config = path.join(work, 'agent.yml');
      writeFileSync(
        config,
        [
          'interval: 1s',
          'grace: 2s',
          `stateDir: ${path.join(work, 'state')}`,
          'defaults: { for: 2s, recovery: 2s }',
          'checks:',
          `  - { id: disco-dati, kind: disk, path: ${JSON.stringify(fillDir)}, warn: ${pct(STEP / 2)}, crit: ${pct(STEP * 1.5)} }`,
          '',
        ].join('\n'),
      );

      // 3. Enrolment with the real agent binary; the credentials are private to the agent's user.
      // (Not spawnSync: the server answering it runs in this very process.)
      const enrolled = await runAgent(['enroll', '--server', base, '--code', code, '--config', config]);
      expect(enrolled.stderr).toBe('');
      expect(enrolled.status).toBe(0);
      expect(enrolled.stdout).toMatch(/enrolled for Associazione Il Girasole ODV as CI-\d{6}/);
      expect(statSync(path.join(work, 'state', 'credentials.json')).mode & 0o777).toBe(0o600);
      // The lead hears that the agent joined.
      await until('the enrolment notice', async () =>
        (await messagesIn('dm:luca.ferrari')).find((m) => /è registrato/.test(m.message.text)),
      );

      // Run as a command, like the installed `sportello-agent` (its shebang carries the small-footprint flags).
      agent = spawn(AGENT_BIN, ['run', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
      await until('the first report', () =>
        app.db
          .withTables<{ check_states: { fingerprint: string; status: string } }>()
          .selectFrom('check_states')
          .selectAll()
          .executeTakeFirst(),
      );
      expect(await alertMessages()).toHaveLength(0);

      // 4. The disk fills past "warn": one alert, one message.
      await fill(path.join(fillDir, 'a.bin'), STEP);
      const warn = await until('the warning alert', async () =>
        (await alerts()).find((a) => a.state === 'firing' && a.severity === 'warn'),
      );
      await until('the alert message', async () => (await alertMessages()).length === 1);
      expect(warn.incident_id).toBeNull();

      // 5. Past "crit": the same alert escalates, opens one incident, the same message is edited.
      await fill(path.join(fillDir, 'b.bin'), STEP);
      const crit = await until('the escalation', async () =>
        (await alerts()).find((a) => a.id === warn.id && a.severity === 'crit' && a.incident_id),
      );
      const incident = await app.store.tickets.findById(crit.incident_id!);
      expect(incident?.kind).toBe('incident');
      expect(incident?.configurationItemId).toBe(crit.configuration_item_id);
      expect(incident?.description).toContain('Primo passo suggerito');
      await until('the edited message', async () => {
        const [m] = await alertMessages();
        return m?.message.title?.startsWith('🔴') && JSON.stringify(m.message.fields).includes(incident!.ref);
      });
      // The card of the incident reached the volunteers.
      expect((await messagesIn('volontari')).some((m) => m.message.title?.startsWith(incident!.ref))).toBe(true);

      // 6. Repeated failures: more cycles, still one alert and one message.
      const critResults = async () =>
        Number(
          (
            await app.db
              .withTables<{ check_results: { status: string } }>()
              .selectFrom('check_results')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('status', '=', 'crit')
              .executeTakeFirstOrThrow()
          ).n,
        );
      const critSoFar = await critResults();
      await until('three more failing cycles reported', async () => (await critResults()) >= critSoFar + 3);
      expect(await alerts()).toHaveLength(1);
      expect(await alertMessages()).toHaveLength(1);
      const tickets = await app.store.tickets.list({ organisationIds: [incident!.organisationId] });
      expect(tickets.filter((t) => t.category === 'monitoring')).toHaveLength(1);

      // 7. A volunteer claims it from the alert's button: the incident is hers, the alert acknowledged.
      const [msg] = await alertMessages();
      expect(msg!.message.buttons?.map((b) => b.actionId)).toContain('alert.claim');
      await webPost('action', { as: 'giulia.rossi', conversation: 'allerte', actionId: 'alert.claim', value: warn.id });
      await until('the claim', async () => (await app.store.tickets.findById(incident!.id))?.assigneeId);
      await until('the acknowledged message', async () => {
        const [m] = await alertMessages();
        return JSON.stringify(m?.message.fields).includes('Giulia Rossi') && m?.message.title?.startsWith('🔕');
      });

      // 8. The disk is freed: resolved after the recovery period, noted on the incident.
      await rm(path.join(fillDir, 'a.bin'));
      await rm(path.join(fillDir, 'b.bin'));
      await until('the resolution', async () => (await alerts()).find((a) => a.id === warn.id && a.state === 'resolved'));
      await until('the resolved message', async () => (await alertMessages())[0]?.message.title?.startsWith('✅'));
      const comments = await app.store.tickets.listComments(incident!.id);
      expect(comments.map((c) => c.body).join('\n')).toMatch(/AL-\d{6} si è risolta/);
      const messages = await alertMessages();
      expect(messages).toHaveLength(1);
      expect(messages[0]!.updated_at.getTime()).toBeGreaterThan(messages[0]!.created_at.getTime());
    });

    // 9. The agent dies: past its period + grace, the watchdog raises a distinct "agent offline" alert.
    agent!.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
    // (The app's own periodic sweep may be first: either way there is exactly one.)
    const offline = await until('the agent to be found offline', async () => {
      await services.watchdog.sweepNow();
      return (await alerts()).find((a) => a.kind === 'agent_offline');
    });
    expect(offline?.state).toBe('firing');
    const after = await until('the offline message', async () => ((await alertMessages()).length === 2 ? alertMessages() : undefined));
    expect(after[1]!.message.title).toMatch(/Agente non raggiungibile/);
    // Sweeping again does not repeat it.
    expect((await services.watchdog.sweepNow())?.offline).toBe(0);
    expect(await alertMessages()).toHaveLength(2);
    expect(agentLog).not.toMatch(/error/);
  }, 240_000); // real agent cycles (1 s) and hold times (2 s) add up to ~30 s on a busy machine
});
