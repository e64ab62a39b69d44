/**
 * A conversation engine on a fresh real database, with a recording chat "platform": every
 * outbox row is delivered through OutboxDispatcher to a sender that keeps what it was given.
 */

import { randomUUID } from 'node:crypto';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import type { Inbound } from '../core/kernel/message.ts';
import type { ChatSender, Delivery } from '../core/kernel/outbox.ts';
import { OutboxDispatcher } from '../core/kernel/outbox-dispatcher.ts';
import type { Platform, Role } from '../core/kernel/person.ts';
import type { Clock, Repositories } from '../core/kernel/ports.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { isTransientDatabaseError } from '../db/database.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export class RecordingSender implements ChatSender {
  readonly sent: (Delivery & { messageId: string })[] = [];
  private n = 0;
  async send(d: Delivery): Promise<{ messageId: string }> {
    const messageId = d.editMessageId ?? `m${++this.n}`;
    this.sent.push({ ...d, messageId });
    return { messageId };
  }
  /** Deliveries to a conversation (a DM is addressed by the user id). */
  to(conversationId: string): (Delivery & { messageId: string })[] {
    return this.sent.filter((d) => d.address.conversationId === conversationId);
  }
  last(conversationId: string): Delivery | undefined {
    return this.to(conversationId).at(-1);
  }
  texts(conversationId: string): string[] {
    return this.to(conversationId).map((d) => [d.message.title, d.message.text].filter(Boolean).join(' | '));
  }
}

export interface Harness {
  tdb: TestDatabase;
  store: KyselyStore;
  engine: ConversationEngine;
  dispatcher: OutboxDispatcher;
  sender: RecordingSender;
  clock: Clock & { advance(ms: number): void };
  /** Sends an inbound event and delivers everything it caused. */
  send(
    e: Partial<Omit<Inbound, 'sender'>> & { from: string; text?: string; sender?: { displayName?: string; locale?: string } },
  ): Promise<string>;
  press(from: string, actionId: string, value: string, conversation?: { id: string; kind: 'dm' | 'channel' }): Promise<string>;
  person(handle: string, name: string, roles: Role[], orgId?: string, platform?: Platform): Promise<string>;
  org(name: string, fiscalCode: string): Promise<string>;
  bindVolunteers(channelId: string): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  let now = new Date('2026-03-02T09:00:00Z').getTime();
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const sender = new RecordingSender();
  const dispatcher = new OutboxDispatcher({ store, clock, senders: { web: sender, slack: sender } });
  const engine = new ConversationEngine({ registry: REGISTRY, store, clock, defaultLocale: 'it', isTransient: isTransientDatabaseError });

  const h: Harness = {
    tdb,
    store,
    engine,
    dispatcher,
    sender,
    clock,
    async send(e) {
      const deliveryId = e.deliveryId ?? randomUUID();
      await engine.handle({
        platform: e.platform ?? 'web',
        deliveryId,
        conversation: e.conversation ?? { id: e.from, kind: 'dm' },
        sender: { externalId: e.from, ...(e.sender ?? {}) },
        ...(e.text !== undefined ? { text: e.text } : {}),
        ...(e.action ? { action: e.action } : {}),
      });
      await dispatcher.drain();
      return deliveryId;
    },
    press(from, actionId, value, conversation) {
      return h.send({ from, action: { id: actionId, value }, conversation: conversation ?? { id: from, kind: 'dm' } });
    },
    async person(handle, name, roles, orgId, platform = 'web') {
      return store.transaction(async (repos: Repositories) => {
        const p = await createPerson(repos, clock, {
          displayName: name,
          handle,
          locale: 'it',
          email: `${handle}@example.org`,
          phone: '+39 333 1234567',
        });
        await repos.people.linkIdentity({ platform, externalId: handle, personId: p.id, lastSeenAt: clock.now() });
        for (const role of roles)
          await repos.people.grantRole({
            personId: p.id,
            role,
            organisationId: role === 'requester' || role === 'ict_lead' ? (orgId ?? null) : null,
            grantedBy: null,
            grantedAt: clock.now(),
            reason: 'test',
          });
        return p.id;
      });
    },
    async org(name, fiscalCode) {
      return store.transaction(async (repos) => (await createOrganisation(repos, clock, { name, fiscalCode })).id);
    },
    async bindVolunteers(channelId) {
      await store.channels.bind({
        purpose: 'volunteers',
        platform: 'web',
        conversationId: channelId,
        threadId: null,
        organisationId: null,
        boundBy: null,
        boundAt: clock.now(),
      });
    },
    async close() {
      await tdb.drop();
    },
  };
  return h;
}
