import type { Locale } from './i18n.ts';

export const ROLES = ['requester', 'ict_lead', 'volunteer', 'moderator', 'vendor', 'committee', 'observer'] as const;
export type Role = (typeof ROLES)[number];

export const PLATFORMS = ['slack', 'telegram', 'discord', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly fiscalCode: string;
  readonly runtsNumber: string | null;
  readonly createdAt: Date;
}

export interface Person {
  readonly id: string;
  /** Unique, lowercase, typed in commands to name a person (e.g. `giulia.rossi`). */
  readonly handle: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly locale: Locale;
  readonly createdAt: Date;
}

/** A platform account (Slack user, Telegram user, …) that speaks for a person. */
export interface Identity {
  readonly platform: Platform;
  readonly externalId: string;
  readonly personId: string;
  readonly lastSeenAt: Date;
}

/**
 * A role held by a person; requester and ict_lead are scoped to an organisation, vendor to a
 * vendor company. Certifications of the committee (volunteer, moderator) carry an expiry.
 */
export interface RoleGrant {
  readonly id: string;
  readonly personId: string;
  readonly role: Role;
  readonly organisationId: string | null;
  /** The vendor company a `vendor` grant is for. */
  readonly vendorId: string | null;
  /** When the certification lapses unless renewed; null for roles that do not expire. */
  readonly expiresAt: Date | null;
  readonly grantedBy: string | null;
  readonly grantedAt: Date;
  readonly reason: string;
  readonly revokedAt: Date | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

export function isPlatform(s: unknown): s is Platform {
  return typeof s === 'string' && (PLATFORMS as readonly string[]).includes(s);
}

/** Roles that need a scope organisation. */
export function isOrgRole(role: Role): boolean {
  return role === 'requester' || role === 'ict_lead';
}

/** Italian codice fiscale of an ente: 11 digits (partita IVA style) or 16 alphanumerics. */
export function isFiscalCode(s: string): boolean {
  return /^(\d{11}|[A-Z0-9]{16})$/i.test(s.trim());
}
