import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Clock, Store } from '../core/kernel/ports.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { StaleConfiguration } from '../core/tickets/ports.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';

// Two stores on one database, each with its own pool: `here` opens tickets (and keeps copies
// of the configuration), `elsewhere` stands for another process where a committee member
// changes policies and bindings.
let tdb: TestDatabase;
let otherDb: Kysely<Database>;
let here: KyselyStore;
let elsewhere: KyselyStore;
let actor: Actor;
const clock: Clock = { now: () => T0 };

beforeAll(async () => {
  tdb = await createTestDatabase();
  otherDb = createDatabase(tdb.url, { max: 2 });
  here = new KyselyStore(tdb.db);
  elsewhere = new KyselyStore(otherDb);
  const org = await seedOrganisation(here, 'Pro Loco');
  const person = await seedPerson(here, 'Anna Bianchi');
  await here.people.grantRole({
    personId: person.id,
    role: 'requester',
    organisationId: org.id,
    grantedBy: null,
    grantedAt: T0,
    reason: 'test',
  });
  actor = { personId: person.id, displayName: person.displayName, locale: 'it', roles: [{ role: 'requester', organisationId: org.id }] };
  await bind(elsewhere, 'volontari');
});

afterAll(async () => {
  await otherDb?.destroy();
  await tdb?.drop();
});

function bind(store: Pick<Store, 'channels'>, conversationId: string) {
  return store.channels.bind({
    purpose: 'volunteers',
    platform: 'telegram',
    conversationId,
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: T0,
  });
}

/** Opens a ticket through the core use case in its own transaction; its SLA events and card addresses. */
async function open(store: Store, work?: (repos: Parameters<Parameters<Store['transaction']>[0]>[0]) => Promise<void>, then?: () => void) {
  const ticket = await store.transaction(async (repos) => {
    await work?.(repos);
    const notifier = new Notifier(repos, 'it');
    const { ticket } = await createTicket(
      { repos, clock, actor, notifier, defaultLocale: 'it' },
      { kind: 'incident', title: 'Stampante ferma', description: 'Non stampa', impact: 2, urgency: 2 },
    );
    await notifier.flush(clock.now());
    return ticket;
  });
  then?.();
  // Read apart from `store`, whose statements a test may be counting.
  const events = (await new KyselyStore(tdb.db).sla.listEvents(ticket.id))
    .map((e) => `${e.target}/${e.kind}@${e.dueAt.toISOString()}`)
    .sort();
  const cards = await tdb.db.selectFrom('outbox').select('address').where('ref', '=', `card:${ticket.ref}`).execute();
  const channels = cards.map((c) => (c.address as { conversationId: string }).conversationId).sort();
  return { ticket, events, channels };
}

describe('ConfigCache: copies of the SLA configuration and bindings, checked by every ticket opening', () => {
  it('serves the SLA policies and bindings of the next ticket from its copies: the opening, the card, nothing else read', async () => {
    // What reaches PostgreSQL, from a store of its own (a pool connected after the patch).
    const recorded: string[] = [];
    let recording = false;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
      const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
      if (recording) recorded.push(String(text).replace(/\s+/g, ' ').trim());
      return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
    } as typeof query;
    const db = createDatabase(tdb.url, { max: 2 });
    try {
      const counting = new KyselyStore(db);
      await open(counting); // fills its copies
      recording = true;
      await open(counting, undefined, () => {
        recording = false;
      });
    } finally {
      pg.Client.prototype.query = query;
      await db.destroy();
    }
    const statements = recorded.filter((q) => !/^(begin|commit)$/i.test(q));
    // The opening statement alone, which writes the card's outbox rows too; neither policies,
    // settings nor bindings read.
    expect(statements).toHaveLength(1);
    expect(statements.join('\n')).not.toMatch(/from (sla_policies|sla_settings|channel_bindings)\b/);
    expect(statements.join('\n')).toMatch(/insert into outbox/);
  });

  it('a policy changed through another store is seen by the next ticket opened here', async () => {
    const before = await open(here);
    await elsewhere.sla.savePolicy(
      { tier: 'volunteer', priority: before.ticket.priority, responseMinutes: 30, resolutionMinutes: 120, allHours: true },
      null,
      T0,
    );
    const after = await open(here);
    expect(after.events).not.toEqual(before.events);
    expect(after.events).toContain(`response/breach@${at(30).toISOString()}`);
    expect(after.events).toContain(`resolution/breach@${at(120).toISOString()}`);
    // As a store with no copies at all plans it.
    expect(after.events).toEqual((await open(new KyselyStore(tdb.db))).events);
  });

  it('after a restore of an older dump, the next change is seen here too (the version is never handed out again)', async () => {
    const policy = (responseMinutes: number) => ({
      tier: 'volunteer' as const,
      priority: 3 as const,
      responseMinutes,
      resolutionMinutes: 480,
      allHours: true,
    });
    await elsewhere.sla.savePolicy(policy(60), null, T0);
    const dumped = await sql<{ version: string }>`select version::text as version from config_version`.execute(otherDb);
    // Any sequence behind the version is dumped (and restored) with it.
    const sequences = await sql<{ name: string; value: string }>`select sequencename as name, last_value::text as value
      from pg_sequences where schemaname = current_schema() and sequencename like 'config_version%'`.execute(otherDb);
    await elsewhere.sla.savePolicy(policy(120), null, T0);
    expect((await open(here)).events).toContain(`response/breach@${at(120).toISOString()}`); // the copy here: 120 min
    // The dump is restored as pg_restore does it: rows (and sequences) loaded with triggers off.
    await otherDb.connection().execute(async (c) => {
      await sql`set session_replication_role = replica`.execute(c);
      await sql`update sla_policies set response_minutes = 60 where tier = 'volunteer' and priority = 3`.execute(c);
      await sql`update config_version set version = ${dumped.rows[0]!.version}::bigint`.execute(c);
      for (const q of sequences.rows) await sql`select setval(${q.name}::regclass, ${q.value}::bigint)`.execute(c);
      await sql`reset session_replication_role`.execute(c);
    });
    await elsewhere.sla.savePolicy(policy(30), null, T0);
    expect((await open(here)).events).toContain(`response/breach@${at(30).toISOString()}`);
  });

  it('settings changed through another store are seen by the next ticket opened here', async () => {
    const before = await open(here);
    const settings = (await elsewhere.sla.getSettings()) ?? (await import('../core/sla/sla-policy.ts')).DEFAULT_SLA_SETTINGS;
    await elsewhere.sla.saveSettings({ ...settings, reannounceAfter: 0.1, reportAfter: 0.2 }, null, T0);
    const after = await open(here);
    expect(after.events).not.toEqual(before.events);
    expect(after.events).toEqual((await open(new KyselyStore(tdb.db))).events);
  });

  it('a channel bound or unbound through another store gets (or stops getting) the next card posted here', async () => {
    expect((await open(here)).channels).toEqual(['volontari']);
    await bind(elsewhere, 'volontari-2');
    expect((await open(here)).channels).toEqual(['volontari', 'volontari-2']);
    await elsewhere.channels.unbind('telegram', 'volontari', 'volunteers');
    expect((await open(here)).channels).toEqual(['volontari-2']);
    await bind(elsewhere, 'volontari');
  });

  it('a binding made earlier in the same transaction gets the card', async () => {
    await open(here);
    const { channels } = await open(here, (repos) => bind(repos, 'volontari-3'));
    expect(channels).toEqual(['volontari', 'volontari-2', 'volontari-3']);
    await here.channels.unbind('telegram', 'volontari-3', 'volunteers');
    expect((await open(here)).channels).toEqual(['volontari', 'volontari-2']);
  });

  it('an opening planned at a stale version writes nothing, draws no ref, and leaves the transaction usable', async () => {
    const row = {
      kind: 'incident' as const,
      title: 'Stampante',
      description: 'Non stampa',
      category: null,
      impact: 2 as const,
      urgency: 2 as const,
      priority: 3 as const,
      tier: 'volunteer' as const,
      organisationId: actor.roles[0]?.organisationId ?? '',
      requesterId: actor.personId,
      configurationItemId: null,
      idempotencyKey: 'stale:1',
      createdAt: T0,
    };
    const { version } = await here.sla.cachedPoliciesAndSettings();
    const refBefore = await here.tickets.nextRef('incident');
    await here.transaction(async (repos) => {
      const error = await repos.tickets
        .open(row, { actorId: null, sla: [{ target: 'response', kind: 'breach', dueAt: at(5) }], configVersion: '-1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StaleConfiguration);
      expect(await repos.tickets.findByIdempotencyKey('stale:1')).toBeUndefined();
      // Still in a working transaction: the current version opens it.
      expect((await repos.tickets.open(row, { actorId: null, sla: [], configVersion: version }))?.ticket.ref).toBeDefined();
    });
    const opened = await here.tickets.findByIdempotencyKey('stale:1');
    expect(Number(opened?.ref.slice(4))).toBe(Number(refBefore.slice(4)) + 1);
  });
});
