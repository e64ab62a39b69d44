import type { Locale } from './i18n.ts';
import type { Role } from './person.ts';

/** The person acting, with their current (unrevoked) roles; built once per request. */
export interface Actor {
  readonly personId: string;
  readonly displayName: string;
  readonly locale: Locale;
  /** `vendorId` names the company of a `vendor` role. */
  readonly roles: readonly { readonly role: Role; readonly organisationId: string | null; readonly vendorId?: string | null }[];
}

export const Actor = {
  has(actor: Actor, role: Role): boolean {
    return actor.roles.some((r) => r.role === role);
  },
  /** Organisations the actor belongs to as requester or ICT lead. */
  organisations(actor: Actor): string[] {
    // A member who is also the ICT lead holds two grants for one organisation: count it once.
    return [...new Set(actor.roles.filter((r) => r.organisationId !== null).map((r) => r.organisationId as string))];
  },
  /** Vendor companies the actor is a member of (holds the `vendor` role for). */
  vendors(actor: Actor): string[] {
    return [...new Set(actor.roles.filter((r) => r.role === 'vendor' && r.vendorId).map((r) => r.vendorId as string))];
  },
  isStaff(actor: Actor): boolean {
    return Actor.has(actor, 'moderator') || Actor.has(actor, 'committee');
  },
  /** The CLI and background jobs act as this system actor. */
  system(): Actor {
    return { personId: 'system', displayName: 'Sportello', locale: 'it', roles: [{ role: 'committee', organisationId: null }] };
  },
  isSystem(actor: Actor): boolean {
    return actor.personId === 'system';
  },
  /** The person to record in history: null for the system (the CLI, background jobs). */
  recordedId(actor: Actor): string | null {
    return Actor.isSystem(actor) ? null : actor.personId;
  },
};
