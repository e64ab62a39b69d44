/**
 * The reliability run (issue 16), first version: Telegram only, webhook mode.
 *
 * Topology: a PostgreSQL database the run creates (on the test server, like the tests), a Redis
 * server the run starts on a free port (never the shared 6379), the Telegram fake in this
 * process, two app processes (`app/main.ts`, HTTP + Telegram webhook) and two `sportello worker`
 * processes, each a child process in its own process group.
 *
 * Load: REQUESTERS requesters each open INTAKES / REQUESTERS tickets through the intake dialog,
 * their updates POSTed to the two app processes in turn (a refused or broken POST is retried on
 * the other one with the same update_id, as Telegram would); VOLUNTEERS volunteers all press
 * "Prendo io" on every card at once; the winner comments and resolves the ticket by command.
 *
 * Faults, spread over the load by progress: `kill -9` of an app process and of a worker (each
 * restarted), Redis FLUSHALL, Redis killed and restarted, the fake answering 429 with
 * retry_after and then 500 for a while.
 *
 * Afterwards, from the database and the fake: tickets expected vs stored, duplicated tickets
 * (same title), claims with more than one owner (ticket_events), chat messages: each delivered
 * outbox row names the Telegram message it sent or edited, so a message the fake sent that no row
 * names is a duplicate and a row naming a message the fake never sent is lost (private
 * "ephemeral" rows, which keep no id, are matched by count per chat). Blind resends of rows in
 * flight in a killed process (`store.outbox.inFlightResends`) are reported as `in_flight` and
 * not counted as duplicates: Telegram offers no way to tell. Throws (the run exits non-zero)
 * when anything is lost or duplicated, or a step of the load failed.
 *
 * Tunables (environment): CHAOS_INTAKES (100), CHAOS_REQUESTERS (8), CHAOS_VOLUNTEERS (4),
 * CHAOS_SETTLE_MS (150000), CHAOS_FAIL_WINDOW_MS (3000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { CONFIG_VARIABLES } from '../app/config.ts';
import { decodeInline } from '../bots/telegram/callback-data.ts';
import { TELEGRAM_WEBHOOK_PATH } from '../bots/telegram/telegram-adapter.ts';
import type { Role } from '../core/kernel/person.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { type FakeCall, type FakeError, TelegramFake } from '../test/fakes/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INTAKES = Number(process.env['CHAOS_INTAKES'] ?? 100);
const REQUESTERS = Number(process.env['CHAOS_REQUESTERS'] ?? 8);
const VOLUNTEERS = Number(process.env['CHAOS_VOLUNTEERS'] ?? 4);
const STEP_MS = 90_000;
/** How long the outbox may take to drain after the load before what is left counts as lost. */
const SETTLE_MS = Number(process.env['CHAOS_SETTLE_MS'] ?? 150_000);
/** A platform fault (429 with retry_after, then 500) lasts this long, failing one sendMessage in FAIL_EVERY. */
const FAIL_WINDOW_MS = Number(process.env['CHAOS_FAIL_WINDOW_MS'] ?? 3_000);
const FAIL_EVERY = 3;
const SECRET = 'chaos-webhook-secret-0123456789';
const GROUP = -1001000000777;

const progress = (msg: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TgUser {
  id: number;
  is_bot: false;
  first_name: string;
  language_code: string;
}
const tgUser = (id: number, name: string): TgUser => ({ id, is_bot: false, first_name: name, language_code: 'it' });

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Every child process group started, killed synchronously if this process is interrupted or exits. */
const groups = new Set<number>();
function killGroupsNow(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}
const onSignal = () => {
  killGroupsNow();
  process.exit(130);
};

/** A child process in its own process group, its output kept (the tail) for diagnostics. */
class Child {
  proc?: ChildProcess;
  out = '';
  starts = 0;
  constructor(
    readonly name: string,
    private readonly cmd: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly readyText: string,
  ) {}

  async start(timeoutMs = 90_000): Promise<void> {
    this.starts++;
    const proc = spawn(this.cmd, this.args, { cwd: ROOT, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    if (proc.pid) groups.add(proc.pid);
    proc.once('exit', () => proc.pid && groups.delete(proc.pid));
    let seen = '';
    const keep = (d: Buffer) => {
      seen += d.toString();
      this.out = (this.out + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start:\n${this.out.slice(-3000)}`)), timeoutMs);
      const check = () => {
        if (seen.includes(this.readyText)) {
          clearTimeout(timer);
          proc.stdout?.off('data', check);
          proc.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${code} while starting:\n${this.out.slice(-3000)}`));
      };
      proc.stdout?.on('data', check);
      proc.once('exit', onExit);
    });
  }

  /** SIGKILL to the whole process group; resolves once the leader is gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([gone, sleep(5_000)]);
  }
}

/** One Redis command over a raw connection (enough for FLUSHALL / PING). */
function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => {
      data += d.toString();
      if (data.endsWith('\r\n')) {
        sock.end();
        resolve(data.trim());
      }
    });
    sock.on('error', reject);
    sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

function buttons(m: FakeCall): { id: string; value?: string; data: string }[] {
  const rows = (m.payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows
    .flat()
    .filter((b) => b.callback_data)
    .map((b) => {
      const a = decodeInline(b.callback_data!);
      return { id: a?.id ?? '', ...(a?.value !== undefined ? { value: a.value } : {}), data: b.callback_data! };
    });
}
const hasButton = (m: FakeCall, id: string) => buttons(m).some((b) => b.id === id);
function buttonData(m: FakeCall, id: string, value?: string): string {
  const hit = buttons(m).find((b) => b.id === id && (value === undefined || b.value === value));
  if (!hit) throw new Error(`no ${id} button in ${JSON.stringify(m.payload).slice(0, 500)}`);
  return hit.data;
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const since = new Date();
  const children: Child[] = [];
  let tdb: TestDatabase | undefined;
  let fake: TelegramFake | undefined;
  let redis: Child | undefined;
  process.once('exit', killGroupsNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    tdb = await createTestDatabase();
    const db = tdb.db;
    const store = new KyselyStore(db);
    fake = await TelegramFake.start();
    const tg = fake;
    const clock = { now: () => new Date() };

    // Redis of its own.
    const redisPort = await freePort();
    redis = new Child(
      'redis',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { PATH: process.env['PATH'] ?? '' },
      'Ready to accept connections',
    );
    await redis.start(20_000);
    progress(`redis on ${redisPort}, database ${tdb.url.replace(/.*\//, '')}`);

    // People: requesters of one organisation, volunteers, the volunteers' group.
    const org = await store.transaction(
      async (repos) => (await createOrganisation(repos, clock, { name: 'Associazione Caos ODV', fiscalCode: '97000000777' })).id,
    );
    const person = (u: TgUser, roles: Role[]) =>
      store.transaction(async (repos) => {
        const p = await createPerson(repos, clock, { displayName: u.first_name, locale: 'it', email: 'persona@example.org' });
        await repos.people.linkIdentity({ platform: 'telegram', externalId: String(u.id), personId: p.id, lastSeenAt: clock.now() });
        for (const role of roles)
          await repos.people.grantRole({
            personId: p.id,
            role,
            organisationId: role === 'requester' ? org : null,
            grantedBy: null,
            grantedAt: clock.now(),
            reason: 'chaos',
          });
        return p.id;
      });
    const requesters = Array.from({ length: REQUESTERS }, (_, i) => tgUser(510_000 + i, `Richiedente${i}`));
    const volunteers = Array.from({ length: VOLUNTEERS }, (_, i) => tgUser(520_000 + i, `Volontario${i}`));
    for (const u of requesters) await person(u, ['requester']);
    for (const u of volunteers) await person(u, ['volunteer']);
    await store.channels.bind({
      purpose: 'volunteers',
      platform: 'telegram',
      conversationId: String(GROUP),
      threadId: null,
      organisationId: null,
      boundBy: null,
      boundAt: clock.now(),
    });

    // Child processes: the environment is only what is given here.
    const baseEnv: Record<string, string> = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[1] !== undefined && !(CONFIG_VARIABLES as readonly string[]).includes(e[0]),
      ),
    );
    const common = {
      ...baseEnv,
      DATABASE_URL: tdb.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
      WEB_CHAT: 'off',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    };
    const apps: Child[] = [];
    const appUrls: string[] = [];
    for (const name of ['app-a', 'app-b']) {
      const port = await freePort();
      appUrls.push(`http://127.0.0.1:${port}${TELEGRAM_WEBHOOK_PATH}`);
      apps.push(
        new Child(
          name,
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'app', 'main.ts')],
          { ...common, PORT: String(port), HOST: '127.0.0.1' },
          'Sportello ready',
        ),
      );
    }
    const workers = ['worker-1', 'worker-2'].map(
      (name) =>
        new Child(
          name,
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'app', 'cli.ts'), 'worker'],
          common,
          'sportello worker running',
        ),
    );
    children.push(...apps, ...workers);
    await Promise.all(children.map((c) => c.start()));
    progress('2 app processes and 2 workers running');

    // Webhook delivery: alternate the processes; retry the same update elsewhere until one takes it.
    let nextUpdate = 1_000_000;
    let turn = 0;
    let retriedPosts = 0;
    const deliver = async (update: Record<string, unknown>): Promise<void> => {
      const body = JSON.stringify({ update_id: nextUpdate++, ...update });
      const end = Date.now() + STEP_MS;
      for (let attempt = 0; ; attempt++) {
        const url = appUrls[turn++ % appUrls.length]!;
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) return;
        } catch {
          // the process is down or died mid-request: Telegram would retry
        }
        retriedPosts++;
        if (Date.now() > end) throw new Error('no app process accepted the update');
        await sleep(attempt < 3 ? 50 : 250);
      }
    };
    let messageIds = 1;
    const now = () => Math.floor(Date.now() / 1000);
    const dm = (from: TgUser, text: string) => ({
      message: { message_id: messageIds++, date: now(), chat: { id: from.id, type: 'private', first_name: from.first_name }, from, text },
    });
    let queryIds = 1;
    const click = (from: TgUser, m: FakeCall, data: string) => {
      const sent = m.result as Record<string, unknown>;
      return { callback_query: { id: `chaos${queryIds++}`, from, chat_instance: 'ci', data, message: { ...sent, date: now() } } };
    };
    // The next message to the chat, skipping a copy of `answered` (a blind resend of a row in flight
    // in a killed process shows twice on Telegram: counted as in_flight, not a dialog step).
    const sameAs = (a: FakeCall, b: FakeCall) =>
      a.payload.text === b.payload.text && JSON.stringify(a.payload.reply_markup) === JSON.stringify(b.payload.reply_markup);
    const reply = async (
      chatId: number,
      act: () => Promise<unknown>,
      answered?: FakeCall,
      match?: (c: FakeCall) => boolean,
    ): Promise<FakeCall> => {
      const before = tg.sentTo(chatId).length;
      await act();
      return tg.waitFor(
        () =>
          tg
            .sentTo(chatId)
            .slice(before)
            .find((c) => !(answered && sameAs(c, answered)) && (!match || match(c))),
        STEP_MS,
        `a message to ${chatId}`,
      );
    };
    const press = (who: TgUser, m: FakeCall, id: string, value?: string, match?: (c: FakeCall) => boolean) =>
      reply(who.id, () => deliver(click(who, m, buttonData(m, id, value))), m, match);
    const knownRefs = new Set<string>();
    const pendingFor = async (chatId: number) =>
      Number(
        (
          await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('conversation_key', '=', `telegram:${chatId}`)
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = STEP_MS) => {
      const end = Date.now() + timeoutMs;
      while (!(await probe())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    };

    const load = { intakes_confirmed: 0, claim_presses: 0, comments: 0, resolutions: 0, webhook_retries: 0, errors: [] as string[] };
    let done = 0;

    const openTicket = async (who: TgUser, n: number): Promise<{ ref: string; card: FakeCall }> => {
      const title = `Stampante ferma ${n}`;
      let m = await reply(who.id, () => deliver(dm(who, `La stampante numero ${n} non stampa più`)));
      for (let asked = 0; asked < 8 && !hasButton(m, 'intake.confirm'); asked++) {
        if (hasButton(m, 'intake.kind')) m = await press(who, m, 'intake.kind', 'incident');
        else if (hasButton(m, 'intake.impact')) m = await press(who, m, 'intake.impact', '2');
        else if (hasButton(m, 'intake.urgency')) m = await press(who, m, 'intake.urgency', '1');
        else if (hasButton(m, 'intake.keep')) m = await press(who, m, 'intake.keep');
        else if (hasButton(m, 'intake.skip')) m = await press(who, m, 'intake.skip');
        else m = await reply(who.id, () => deliver(dm(who, title)), m);
      }
      if (!String(m.payload.text).includes(`Titolo</b>: ${title}`) && hasButton(m, 'intake.edit')) {
        const prompt = await press(who, m, 'intake.edit', 'title');
        m = await reply(
          who.id,
          () => deliver(dm(who, title)),
          prompt,
          (c) => hasButton(c, 'intake.confirm'),
        );
      }
      const cardsBefore = tg.sentTo(GROUP).length;
      const newRef = (c: FakeCall) => {
        const r = /INC-\d{6}/.exec(String(c.payload.text))?.[0];
        return r !== undefined && !knownRefs.has(r);
      };
      m = await press(who, m, 'intake.confirm', undefined, newRef);
      load.intakes_confirmed++;
      const ref = /INC-\d{6}/.exec(String(m.payload.text))?.[0];
      if (ref) knownRefs.add(ref);
      if (!ref) throw new Error(`no ticket created: ${String(m.payload.text).slice(0, 300)}`);
      const card = await tg.waitFor(
        () =>
          tg
            .sentTo(GROUP)
            .slice(cardsBefore)
            .find((c) => String(c.payload.text).includes(ref) && hasButton(c, 'ticket.claim')),
        STEP_MS,
        `the card of ${ref}`,
      );
      return { ref, card };
    };

    const lifecycle = async (who: TgUser, n: number) => {
      const { ref, card } = await openTicket(who, n);
      // Every volunteer presses "Prendo io" at once.
      const data = buttonData(card, 'ticket.claim');
      await Promise.all(volunteers.map((v) => deliver(click(v, card, data)).then(() => load.claim_presses++)));
      let assignee: string | null = null;
      await until(`${ref} claimed`, async () => {
        const t = await db.selectFrom('tickets').select('assignee_id').where('ref', '=', ref).executeTakeFirst();
        assignee = t?.assignee_id ?? null;
        return assignee !== null;
      });
      const link = await db
        .selectFrom('identities')
        .select('external_id')
        .where('person_id', '=', assignee!)
        .where('platform', '=', 'telegram')
        .executeTakeFirstOrThrow();
      const owner = volunteers.find((v) => String(v.id) === link.external_id)!;
      await deliver(dm(owner, `commenta ${ref} Sto guardando la stampante ${n}`));
      load.comments++;
      await deliver(dm(owner, `risolvi ${ref} Driver reinstallato sulla stampante ${n}`));
      await until(`${ref} resolved`, async () => {
        const t = await db.selectFrom('tickets').select('status').where('ref', '=', ref).executeTakeFirst();
        return t?.status === 'resolved';
      });
      load.resolutions++;
      // The requester's chat is quiet before the next intake, so the dialog reads only its own messages.
      await until(`${who.first_name}'s chat delivered`, async () => (await pendingFor(who.id)) === 0);
    };

    // Faults, fired as the load progresses.
    const faults: Record<string, number> = {};
    const fault = (name: string) => {
      faults[name] = (faults[name] ?? 0) + 1;
      progress(`fault: ${name}`);
    };
    // A platform fault lasts FAIL_WINDOW_MS: meanwhile one sendMessage in FAIL_EVERY is answered with the error.
    let failing: { until: number; error: FakeError; counter: string; n: number } | undefined;
    const failFor = (error: FakeError, counter: string) => {
      failing = { until: Date.now() + FAIL_WINDOW_MS, error, counter, n: 0 };
    };
    tg.onCall = (call) => {
      if (call.method !== 'sendMessage' || !failing) return;
      if (Date.now() > failing.until) {
        failing = undefined;
        return;
      }
      if (failing.n++ % FAIL_EVERY !== 0) return;
      tg.failNext('sendMessage', failing.error, String(call.payload.chat_id));
      faults[failing.counter] = (faults[failing.counter] ?? 0) + 1;
    };
    const schedule: [string, () => Promise<void>][] = [
      [
        'telegram_429',
        async () => {
          fault('telegram_429');
          failFor(
            { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
            'telegram_429_calls',
          );
        },
      ],
      [
        'telegram_500',
        async () => {
          fault('telegram_500');
          failFor({ error_code: 500, description: 'Internal Server Error' }, 'telegram_500_calls');
        },
      ],
      [
        'kill9_app',
        async () => {
          fault('kill9_app');
          await apps[0]!.kill();
          await sleep(500);
          await apps[0]!.start();
        },
      ],
      [
        'kill9_worker',
        async () => {
          fault('kill9_worker');
          await workers[0]!.kill();
          await sleep(500);
          await workers[0]!.start();
        },
      ],
      [
        'redis_flushall',
        async () => {
          fault('redis_flushall');
          await redisCommand(redisPort, 'FLUSHALL');
        },
      ],
      [
        'redis_restart',
        async () => {
          fault('redis_restart');
          await redis!.kill();
          await sleep(1_000);
          await redis!.start(20_000);
        },
      ],
      [
        'kill9_app_b',
        async () => {
          fault('kill9_app');
          await apps[1]!.kill();
          await sleep(500);
          await apps[1]!.start();
        },
      ],
    ];
    let firing: Promise<void> = Promise.resolve();
    let fired = 0;
    const maybeFault = () => {
      const due = Math.floor((done * (schedule.length + 1)) / INTAKES);
      while (fired < schedule.length && fired < due) {
        const [, act] = schedule[fired++]!;
        firing = firing.then(act).catch((e: unknown) => void load.errors.push(`fault: ${String(e).slice(0, 300)}`));
      }
    };

    const t0 = Date.now();
    let issued = 0;
    await Promise.all(
      requesters.map(async (who) => {
        while (issued < INTAKES) {
          const n = ++issued;
          try {
            await lifecycle(who, n);
          } catch (e) {
            load.errors.push(`intake ${n}: ${String(e).slice(0, 300)}`);
            progress(`intake ${n} failed: ${String(e).slice(0, 200)}`);
            // Leave the dialog, so this requester's next intake starts clean.
            await deliver(dm(who, 'annulla')).catch(() => {});
            await sleep(2_000);
          }
          done++;
          if (done % 5 === 0) progress(`${done}/${INTAKES} intakes done`);
          maybeFault();
        }
      }),
    );
    await firing;
    const loadMs = Date.now() - t0;
    load.webhook_retries = retriedPosts;
    progress(`load done in ${Math.round(loadMs / 1000)} s; settling the outbox`);

    // Settle: nothing pending for Telegram (or give up after a while and count it as lost).
    const settleStart = Date.now();
    const settleEnd = settleStart + SETTLE_MS;
    for (;;) {
      const pending = Number(
        (
          await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('platform', '=', 'telegram')
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow()
        ).n,
      );
      if (pending === 0 || Date.now() > settleEnd) break;
      await sleep(200);
    }

    const settleMs = Date.now() - settleStart;
    progress(`outbox settled in ${Math.round(settleMs / 1000)} s`);

    // Tickets.
    const tickets = await db.selectFrom('tickets').select(['ref', 'title', 'requester_id', 'status']).execute();
    const byTitle = new Map<string, number>();
    for (const t of tickets) byTitle.set(t.title, (byTitle.get(t.title) ?? 0) + 1);
    const duplicatedTickets = [...byTitle.values()].reduce((s, c) => s + Math.max(0, c - 1), 0);
    const expectedTickets = load.intakes_confirmed;
    const lostTickets = Math.max(0, expectedTickets - byTitle.size);

    // Claims with more than one owner: tickets whose assignee was set by more than one claim.
    const claimRows = await sql<{ n: number }>`
      select count(*)::int as n from (
        select ticket_id from ticket_events where field = 'assignee' and from_value is null group by ticket_id having count(*) > 1
      ) x`.execute(db);
    const multiOwner = claimRows.rows[0]?.n ?? 0;

    // Chat messages: each delivered outbox row names the Telegram message it sent (or edited); a
    // message the fake sent that no row names is a duplicate, a row naming a message the fake never
    // sent is lost. "Ephemeral" rows (sent privately, no message id kept) are matched by count per chat.
    const rows = await db
      .selectFrom('outbox')
      .select(['status', 'address', 'ephemeral_to', 'platform_message_id'])
      .where('platform', '=', 'telegram')
      .execute();
    const sent = new Map<string, string>(); // message_id -> chat
    let fakeAccepted = 0;
    for (const c of tg.calls)
      if (c.method === 'sendMessage' && c.status === 200) {
        sent.set(String((c.result as { message_id: number }).message_id), String(c.payload.chat_id));
        fakeAccepted++;
      }
    const named = new Set<string>();
    const ephemeralPerChat = new Map<string, number>();
    let undelivered = 0;
    let namedMissing = 0;
    for (const r of rows) {
      if (r.status !== 'delivered') {
        undelivered++;
        continue;
      }
      if (r.platform_message_id) {
        named.add(r.platform_message_id);
        if (!sent.has(r.platform_message_id)) namedMissing++;
      } else {
        const chat = r.ephemeral_to ?? String((r.address as { conversationId: string }).conversationId);
        ephemeralPerChat.set(chat, (ephemeralPerChat.get(chat) ?? 0) + 1);
      }
    }
    const unnamedPerChat = new Map<string, number>();
    for (const [id, chat] of sent) if (!named.has(id)) unnamedPerChat.set(chat, (unnamedPerChat.get(chat) ?? 0) + 1);
    let missingSends = namedMissing;
    let extraSends = 0;
    for (const chat of new Set([...ephemeralPerChat.keys(), ...unnamedPerChat.keys()])) {
      const d = (unnamedPerChat.get(chat) ?? 0) - (ephemeralPerChat.get(chat) ?? 0);
      if (d > 0) progress(`chat ${chat}: ${d} message(s) no outbox row accounts for`);
      else if (d < 0) progress(`chat ${chat}: ${-d} private row(s) never reached the fake`);
      if (d > 0) extraSends += d;
      else missingSends -= d;
    }
    const stuck = await db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'unknown_fate_attempts', 'last_error', 'next_attempt_at', 'conversation_key'])
      .where('platform', '=', 'telegram')
      .where('status', '!=', 'delivered')
      .orderBy('created_at')
      .limit(8)
      .execute();
    for (const r of stuck) progress(`undelivered ${JSON.stringify(r)}`);
    const inFlight = (await store.outbox.inFlightResends(since)).telegram ?? 0;
    const lostMessages = Math.max(undelivered, missingSends);
    const duplicatedMessages = Math.max(0, extraSends - inFlight);

    const lost = { tickets: lostTickets, messages: lostMessages };
    const duplicated = { tickets: duplicatedTickets, messages: duplicatedMessages, claims: multiOwner };
    const figures = {
      platforms: 'telegram',
      intakes: INTAKES,
      requesters: REQUESTERS,
      volunteers: VOLUNTEERS,
      load_s: Math.round(loadMs / 100) / 10,
      settle_s: Math.round(settleMs / 100) / 10,
      wall_s: Math.round((Date.now() - started) / 100) / 10,
      load: {
        intakes_confirmed: load.intakes_confirmed,
        claim_presses: load.claim_presses,
        comments: load.comments,
        resolutions: load.resolutions,
        webhook_retries: load.webhook_retries,
        errors: load.errors.length,
      },
      faults,
      tickets: { expected: expectedTickets, stored: tickets.length, distinct: byTitle.size },
      messages: {
        outbox_rows: rows.length,
        delivered_rows: rows.length - undelivered,
        fake_sends: fakeAccepted,
        fake_rejected: tg.calls.filter((c) => c.status !== 200).length,
      },
      in_flight: inFlight,
      lost,
      duplicated,
      lost_total: lostTickets + lostMessages,
      duplicated_total: duplicatedTickets + duplicatedMessages + multiOwner,
    };
    if (load.errors.length) progress(`errors:\n  ${load.errors.slice(0, 10).join('\n  ')}`);
    if (figures.lost_total !== 0 || figures.duplicated_total !== 0 || load.errors.length) {
      progress(JSON.stringify(figures));
      throw new Error(
        `chaos: lost ${figures.lost_total}, duplicated ${figures.duplicated_total}, load errors ${load.errors.length} (see the figures above)`,
      );
    }
    return figures;
  } catch (e) {
    for (const c of children) if (c.out) progress(`--- ${c.name} (last output)\n${c.out.slice(-1500)}`);
    throw e;
  } finally {
    await Promise.all(children.map((c) => c.kill()));
    await redis?.kill();
    await fake?.close();
    await tdb?.drop().catch(() => {});
    killGroupsNow();
    process.off('exit', killGroupsNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ bench: 'chaos', ...(await run()) }));
  process.exit(0);
}
