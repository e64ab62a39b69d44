/**
 * The database going away under a running engine (what a PostgreSQL restart does to clients:
 * every connection terminated, new ones refused for a while): the event fails cleanly, and the
 * platform's redelivery after the restart creates exactly one ticket and one card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOutage } from './db-outage.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let outage: ReturnType<typeof databaseOutage>;

beforeAll(async () => {
  h = await createHarness();
  outage = databaseOutage(h.tdb.url);
  const org = await h.org('Associazione Riavvio ODV', '97000000011');
  await h.person('rita', 'Rita Riavvio', ['requester'], org);
  await h.bindVolunteers('volontari');
});
afterAll(async () => {
  await outage.bringUp().catch(() => undefined);
  await h.close();
});

describe('database restart', () => {
  it('an event during the outage fails cleanly; its redelivery afterwards has exactly one effect', async () => {
    await h.send({ from: 'rita', text: 'Il router non funziona' });
    await h.press('rita', 'intake.kind', 'incident');
    await h.press('rita', 'intake.impact', '1');
    await h.press('rita', 'intake.urgency', '1');
    await h.send({ from: 'rita', text: 'Router spento' });
    await h.press('rita', 'intake.keep', '');
    await h.press('rita', 'intake.skip', '');
    const value = h.sender.last('rita')!.message.buttons!.find((b) => b.actionId === 'intake.confirm')!.value;
    const confirm = {
      platform: 'web' as const,
      deliveryId: 'confirm-during-outage',
      conversation: { id: 'rita', kind: 'dm' as const },
      sender: { externalId: 'rita' },
      action: { id: 'intake.confirm', value },
    };
    const cardsBefore = h.sender.to('volontari').length;

    await outage.takeDown();
    await expect(h.engine.handle(confirm)).rejects.toThrow();
    await expect(h.dispatcher.drain()).rejects.toThrow();
    await outage.bringUp();

    // The platform redelivers (Slack retries, Telegram re-polls, the web chat resends the same id).
    const first = await h.engine.handle(confirm);
    const again = await h.engine.handle(confirm);
    await h.dispatcher.drain();
    expect([first.status, again.status]).toEqual(['handled', 'duplicate']);
    const tickets = await h.store.tickets.list({ limit: 10 });
    expect(tickets).toHaveLength(1);
    expect(h.sender.to('volontari').length).toBe(cardsBefore + 1);
    expect(h.sender.texts('rita').at(-1)).toContain(tickets[0]!.ref);
  });
});
