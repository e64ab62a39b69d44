import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../core/kernel/actor.ts';
import { ciLabel } from '../core/kernel/configuration-item.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Repositories } from '../core/kernel/ports.ts';
import type { Ticket } from '../core/kernel/ticket.ts';
import { type CreateTicketInput, createTicket } from '../core/tickets/create-ticket.ts';
import { ticketCard } from '../core/tickets/ticket-card.ts';
import { seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';

// A new ticket's card is rendered before its opening, on this process's copies of the bindings
// and of the organisation's name, and written by the opening statement with the ref it draws.
// What reaches PostgreSQL is recorded from a pool connected after the patch.
let tdb: TestDatabase;
let db: Kysely<Database>;
let store: KyselyStore;
let actor: Actor;
let orgId: string;
let personId: string;
const recorded: string[] = [];
let recording = false;
const query = pg.Client.prototype.query;

beforeAll(async () => {
  tdb = await createTestDatabase();
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    if (recording) recorded.push(String(text).replace(/\s+/g, ' ').trim());
    return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof query;
  db = createDatabase(tdb.url, { max: 2 });
  store = new KyselyStore(db);
  const org = await seedOrganisation(store, 'Pro Loco');
  orgId = org.id;
  const person = await seedPerson(store, 'Anna Bianchi');
  personId = person.id;
  actor = { personId, displayName: person.displayName, locale: 'it', roles: [{ role: 'requester', organisationId: org.id }] };
  await store.channels.bind({
    purpose: 'volunteers',
    platform: 'telegram',
    conversationId: 'volontari',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: T0,
  });
});

afterAll(async () => {
  pg.Client.prototype.query = query;
  await db?.destroy();
  await tdb?.drop();
});

const INPUT: CreateTicketInput = { kind: 'incident', title: 'Stampante ferma', description: 'Non stampa', impact: 2, urgency: 2 };

/** Opens a ticket through the use case in its own transaction; the statements it sent besides begin/commit, and its outbox rows. */
async function open(
  input: Partial<CreateTicketInput> = {},
  opts: { as?: Actor; before?: (n: Notifier, repos: Repositories) => void } = {},
) {
  recorded.length = 0;
  recording = true;
  let outbox = -1;
  const ticket = await store
    .transaction(
      async (repos) => {
        const notifier = new Notifier(repos, 'it');
        opts.before?.(notifier, repos);
        const { ticket } = await createTicket(
          { repos, clock: { now: () => T0 }, actor: opts.as ?? actor, notifier, defaultLocale: 'it' },
          { ...INPUT, ...input },
        );
        await notifier.flush(T0);
        return ticket;
      },
      { onCommit: (w) => void (outbox = w.outbox) },
    )
    .finally(() => {
      recording = false;
    });
  const statements = recorded.filter((q) => !/^(begin|commit)$/i.test(q));
  return { ticket, statements, outbox };
}

async function cardOf(ticket: Ticket) {
  return tdb.db
    .selectFrom('outbox')
    .select(['address', 'message', 'status', 'ephemeral_to', 'next_attempt_at'])
    .where('ref', '=', `card:${ticket.ref}`)
    .execute();
}

describe("a new ticket's card, written by its opening statement", () => {
  it('is the card announceTicket posts: with its item and the open problem it may join, no statement of its own', async () => {
    const { rows } = await sql<{ id: string; number: number; name: string }>`
      insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
      values (${orgId}, 'printer', 'stampante-segreteria', ${T0}, ${T0}) returning id, number, name`.execute(tdb.db);
    const item = rows[0]!;
    const problem = await store.problems.insert({
      ref: await store.problems.nextRef(),
      organisationId: orgId,
      title: 'Stampanti che si bloccano',
      description: '',
      category: null,
      configurationItemId: item.id,
      createdBy: null,
      createdAt: T0,
    });
    const first = await open(); // no copies yet: rendered after the opening, as before
    expect(first.statements.filter((q) => /^(\/\* prepared \*\/ )?insert into outbox/.test(q))).toHaveLength(1);

    const { ticket, statements, outbox } = await open({ configurationItemId: item.id, category: 'stampanti' });
    // The item read (checked against the organisation), the open problems, the opening: no outbox insert apart.
    expect(statements.filter((q) => /insert into outbox/.test(q))).toHaveLength(1);
    expect(statements.find((q) => /insert into outbox/.test(q))).toMatch(/insert into tickets/);
    expect(statements).toHaveLength(3);
    expect(outbox).toBe(1);
    const cards = await cardOf(ticket);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.address).toEqual({ platform: 'telegram', kind: 'channel', conversationId: 'volontari' });
    expect(cards[0]!.status).toBe('pending');
    expect(cards[0]!.ephemeral_to).toBeNull();
    expect(cards[0]!.next_attempt_at).toEqual(T0);
    expect(cards[0]!.message).toEqual(
      ticketCard('it', ticket, {
        org: 'Pro Loco',
        assignee: null,
        item: ciLabel(item),
        problems: [{ ref: problem.ref, title: problem.title }],
      }),
    );
    expect(JSON.stringify(cards[0]!.message)).toContain(`"value":"${ticket.ref}:${problem.ref}"`);
  });

  it('keeps its place after what the notifier already holds for the same conversation', async () => {
    const { ticket, statements } = await open(
      {},
      { before: (n) => n.reply({ platform: 'telegram', kind: 'channel', conversationId: 'volontari' }, { text: 'prima' }) },
    );
    expect(statements.some((q) => /^(\/\* prepared \*\/ )?insert into outbox/.test(q))).toBe(true);
    const rows = await tdb.db
      .selectFrom('outbox')
      .select(['ref', 'message'])
      .where('conversation_key', '=', 'telegram:volontari')
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    expect(rows.reverse().map((r) => r.ref ?? (r.message as { text: string }).text)).toEqual(['prima', `card:${ticket.ref}`]);
  });

  it("shows the organisation's new name when it was renamed since it was copied, and draws one ref", async () => {
    const other = await seedOrganisation(store, 'Banco Alimentare');
    const as: Actor = { ...actor, roles: [{ role: 'requester', organisationId: other.id }] };
    const before = await open({}, { as }); // copies the name
    await sql`update organisations set name = 'Banco Alimentare ODV' where id = ${other.id}`.execute(tdb.db);
    const { ticket, statements, outbox } = await open({}, { as });
    // The opening rendered with the old name wrote nothing; the second one, with the new name, the rest.
    expect(statements.filter((q) => /insert into tickets/.test(q))).toHaveLength(2);
    expect(statements.filter((q) => /insert into outbox/.test(q))).toHaveLength(2);
    expect(outbox).toBe(1);
    expect(Number(ticket.ref.slice(4))).toBe(Number(before.ticket.ref.slice(4)) + 1);
    const cards = await cardOf(ticket);
    expect(cards.map((c) => c.message)).toEqual([ticketCard('it', ticket, { org: 'Banco Alimentare ODV', assignee: null, item: null })]);
    expect(await tdb.db.selectFrom('tickets').select('ref').where('organisation_id', '=', other.id).execute()).toHaveLength(2);
  });

  it('stores a title and a description holding a NUL or half an emoji, on both paths, instead of failing', async () => {
    const broken = { title: 'Stampante\u0000 ferma \ud83d', description: 'Non \udc4d stampa' };
    const first = await open(broken, {
      before: (n) => n.reply({ platform: 'telegram', kind: 'channel', conversationId: 'volontari' }, { text: 'x' }),
    });
    const second = await open(broken);
    for (const { ticket } of [first, second]) {
      expect(ticket.title).toBe('Stampante\uFFFD ferma \uFFFD');
      const stored = await tdb.db
        .selectFrom('tickets')
        .select(['title', 'description'])
        .where('id', '=', ticket.id)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ title: 'Stampante\uFFFD ferma \uFFFD', description: 'Non \uFFFD stampa' });
      expect(JSON.stringify((await cardOf(ticket))[0]!.message)).toContain('Stampante\uFFFD ferma');
    }
  });
});
