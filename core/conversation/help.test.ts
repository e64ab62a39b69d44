import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../features.ts';
import type { Actor } from '../kernel/actor.ts';
import { helpMessage } from './help.ts';

const actor = (personId: string, roles: Actor['roles']): Actor => ({ personId, displayName: personId, locale: 'it', roles });

describe('helpMessage', () => {
  it('is drawn once per language and combination of roles, and differs where the commands do', () => {
    const a = actor('a', [{ role: 'requester', organisationId: 'org-1' }]);
    const b = actor('b', [{ role: 'requester', organisationId: 'org-2' }]);
    const volunteer = actor('v', [{ role: 'volunteer', organisationId: null }]);
    const first = helpMessage('it', a, REGISTRY);
    // Another person with the same roles gets the very same message, not a new drawing.
    expect(helpMessage('it', b, REGISTRY)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(helpMessage('en', a, REGISTRY).text).not.toBe(first.text);
    expect(helpMessage('it', volunteer, REGISTRY).text).not.toBe(first.text);
    expect(helpMessage('it', a, REGISTRY, true).text).not.toBe(first.text);
    expect(helpMessage('it', a, REGISTRY, true).text.endsWith(first.text)).toBe(true);
  });
});
