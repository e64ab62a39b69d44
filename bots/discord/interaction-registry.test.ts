import { describe, expect, it } from 'vitest';
import type { PendingInteraction } from '../../core/kernel/delivery-context.ts';
import { InteractionRegistry } from './interaction-registry.ts';

const T0 = new Date('2026-03-02T09:00:00Z');

/** The repository as the registry uses it, with the live DM interactions a previous process left. */
function repo(left: { userId: string; expiresAt: Date }[]) {
  const remembered: PendingInteraction[] = [];
  return {
    remembered,
    rememberInteraction: async (i: PendingInteraction) => void remembered.push(i),
    claimInteraction: async () => undefined,
    unclaimOriginal: async () => undefined,
    claimPlaceholder: async () => false,
    forgetInteraction: async () => undefined,
    purgeExpiredInteractions: async () => 0,
    liveInteractionUsers: async () => left,
  };
}

const command = (userId: string, channelKey = 'dm') => ({
  id: `i-${userId}`,
  applicationId: 'app',
  token: `tok-${userId}`,
  userId,
  channelKey,
  kind: 'command' as const,
  createdAt: T0,
});

describe('InteractionRegistry.mayAnswerInDm', () => {
  it('asks the database until it tracks; then knows who may have a placeholder in their DM', async () => {
    let now = T0;
    const r = repo([{ userId: 'lasciato', expiresAt: new Date(T0.getTime() + 60_000) }]);
    const registry = new InteractionRegistry(r, 14 * 60_000, () => now);
    expect(registry.mayAnswerInDm('nessuno')).toBe(true); // not tracking: the database decides
    await registry.trackDms();
    expect(registry.mayAnswerInDm('nessuno')).toBe(false);
    expect(registry.mayAnswerInDm('lasciato')).toBe(true); // left by a previous process
    await registry.remember(command('nuovo'));
    await registry.remember(command('canale', 'C1'));
    expect(registry.mayAnswerInDm('nuovo')).toBe(true);
    expect(registry.mayAnswerInDm('canale')).toBe(false); // a channel's interaction is no DM's
    expect(r.remembered.map((i) => i.userId)).toEqual(['nuovo', 'canale']);
    now = new Date(T0.getTime() + 61_000);
    expect(registry.mayAnswerInDm('lasciato')).toBe(false); // expired
    expect(registry.mayAnswerInDm('nuovo')).toBe(true);
    now = new Date(T0.getTime() + 14 * 60_000 + 1);
    expect(registry.mayAnswerInDm('nuovo')).toBe(false);
  });

  it('remembers what arrives while it reads what a previous process left', async () => {
    const r = repo([]);
    const registry = new InteractionRegistry(r, 14 * 60_000, () => T0);
    const reading = registry.trackDms();
    await registry.remember(command('intanto'));
    await reading;
    expect(registry.mayAnswerInDm('intanto')).toBe(true);
  });
});
