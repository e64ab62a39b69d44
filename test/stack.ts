/**
 * A real Sportello core for end-to-end adapter tests: fresh PostgreSQL database, store,
 * conversation engine and outbox dispatcher (woken by every event that wrote rows, like the app),
 * plus helpers to seed people with platform identities and bind channels.
 */

import { ConversationEngine, type HandleResult } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import type { ChatSender } from '../core/kernel/outbox.ts';
import { OutboxDispatcher } from '../core/kernel/outbox-dispatcher.ts';
import type { Platform, Role } from '../core/kernel/person.ts';
import type { ChannelPurpose, Clock } from '../core/kernel/ports.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { isTransientDatabaseError } from '../db/database.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { WAIT_MS } from './wait.ts';

export interface Stack {
  readonly tdb: TestDatabase;
  readonly store: KyselyStore;
  readonly clock: Clock;
  readonly engine: ConversationEngine;
  readonly dispatcher: OutboxDispatcher;
  /** Registers the adapter's sender (adapters are built after the engine they call). */
  setSender(platform: Platform, sender: ChatSender): void;
  org(name: string, fiscalCode: string): Promise<string>;
  /** A person with an identity on `platform` (externalId) and the given roles. */
  person(p: { platform: Platform; externalId: string; name: string; roles: Role[]; orgId?: string; handle?: string }): Promise<string>;
  bind(purpose: ChannelPurpose, platform: Platform, conversationId: string, threadId?: string): Promise<void>;
  /** What `engine` made of each event, in the order it finished (the readiness signal for "handled"). */
  readonly handled: readonly { readonly deliveryId: string; readonly status: HandleResult['status'] }[];
  /**
   * Waits until no outbox row of a platform with a sender is pending (each one delivered or
   * failed for good); throws, saying how many are left, if that takes longer than `timeoutMs`.
   */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createStack(opts: { dispatcherBackoffMs?: (attempts: number) => number; clock?: Clock } = {}): Promise<Stack> {
  const tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  // A test of deadlines brings its own clock (advanced by hand); the others run on real time.
  const clock: Clock = opts.clock ?? { now: () => new Date() };
  const senders: Partial<Record<Platform, ChatSender>> = {};
  const dispatcher = new OutboxDispatcher({
    store,
    clock,
    senders,
    ...(opts.dispatcherBackoffMs ? { backoffMs: opts.dispatcherBackoffMs } : {}),
  });
  const handled: { deliveryId: string; status: HandleResult['status'] }[] = [];
  const engine = new ConversationEngine({
    registry: REGISTRY,
    store,
    clock,
    defaultLocale: 'it',
    onWritten: () => dispatcher.kick(),
    onHandled: (inbound, result) => void handled.push({ deliveryId: inbound.deliveryId, status: result.status }),
    isTransient: isTransientDatabaseError,
  });
  dispatcher.start(100);
  return {
    tdb,
    store,
    clock,
    engine,
    dispatcher,
    handled,
    setSender(platform, sender) {
      senders[platform] = sender;
    },
    org: (name, fiscalCode) => store.transaction(async (repos) => (await createOrganisation(repos, clock, { name, fiscalCode })).id),
    person: (p) =>
      store.transaction(async (repos) => {
        const person = await createPerson(repos, clock, {
          displayName: p.name,
          ...(p.handle ? { handle: p.handle } : {}),
          locale: 'it',
          email: 'persona@example.org',
          phone: '+39 333 7654321',
        });
        await repos.people.linkIdentity({ platform: p.platform, externalId: p.externalId, personId: person.id, lastSeenAt: clock.now() });
        for (const role of p.roles)
          await repos.people.grantRole({
            personId: person.id,
            role,
            organisationId: role === 'requester' || role === 'ict_lead' ? (p.orgId ?? null) : null,
            grantedBy: null,
            grantedAt: clock.now(),
            reason: 'test',
          });
        return person.id;
      }),
    bind: (purpose, platform, conversationId, threadId) =>
      store.channels.bind({
        purpose,
        platform,
        conversationId,
        threadId: threadId ?? null,
        organisationId: null,
        boundBy: null,
        boundAt: clock.now(),
      }),
    async settle(timeoutMs = WAIT_MS) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        await dispatcher.drain();
        const platforms = Object.keys(senders) as Platform[];
        if (platforms.length === 0) return;
        const pending = await tdb.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .where('platform', 'in', platforms)
          .executeTakeFirstOrThrow();
        if (Number(pending.n) === 0) return;
        if (Date.now() > end) throw new Error(`outbox not settled after ${timeoutMs} ms: ${Number(pending.n)} row(s) still pending`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await dispatcher.stop();
      await tdb.drop();
    },
  };
}
