/**
 * Privacy rights (GDPR): the export of everything held about a person, the erasure that
 * pseudonymises them while ticket histories stay whole, the one-time download link for an export
 * asked for in chat, and the retention of closed tickets. Each export and erasure is recorded
 * (who, when, why) in the same transaction as the work it records.
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Person } from '../kernel/person.ts';
import type { Clock, Store } from '../kernel/ports.ts';
import { it } from './messages.it.ts';
import type { ErasureResult, ExportLinkRefusal, PersonExport, PrivacyChannel, Pseudonym } from './ports.ts';
import { PrivacyPolicy } from './privacy-policy.ts';

/** A download link is valid this long, once. */
export const EXPORT_LINK_TTL_MS = 10 * 60_000;
/** Where the download page lives, under the public base URL. */
export const EXPORT_PATH = '/miei-dati';
/** Closed tickets keep their personal data this many months unless configured otherwise. */
export const DEFAULT_RETENTION_MONTHS = 24;
/** Tickets cleared per transaction by the retention job. */
const RETENTION_BATCH = 500;

/** The fixed text that replaces what an erased person wrote (stored once, so in the first language). */
export const REMOVED_TEXT = it['privacy.removed_text'];

/** The download link's address: the public base URL when known, else a path on this server. */
export function exportUrl(publicUrl: string | undefined, token: string): string {
  return `${(publicUrl ?? '').replace(/\/+$/, '')}${EXPORT_PATH}?t=${encodeURIComponent(token)}`;
}

/**
 * The pseudonym of an erased person, derived from their id: stable (erasing twice writes the
 * same), unique as a handle, and telling nothing about who they were.
 */
export function pseudonymOf(personId: string): Pseudonym {
  const hex = personId.replace(/-/g, '').toLowerCase();
  return {
    handle: `cancellata-${hex.slice(0, 12)}`,
    displayName: it['privacy.pseudonym'].replace('{code}', hex.slice(0, 4).toUpperCase()),
    removedText: REMOVED_TEXT,
  };
}

/** Everything held about `person`, for them or the operator; recorded. */
export async function exportPersonData(
  ctx: UseCaseContext,
  person: Person,
  opts: { readonly channel: PrivacyChannel; readonly reason: string },
): Promise<PersonExport> {
  PrivacyPolicy.assertExport(ctx.actor, person.id);
  const at = ctx.clock.now();
  const data = await ctx.repos.privacy.exportPerson(person.id, at);
  await ctx.repos.privacy.record({
    kind: 'export',
    personId: person.id,
    requestedBy: Actor.recordedId(ctx.actor),
    channel: opts.channel,
    reason: opts.reason,
    details: {},
    at,
  });
  return data;
}

/** Erases `person` (the operator only); erasing again is harmless and recorded too. */
export async function erasePersonData(
  ctx: UseCaseContext,
  person: Person,
  reason: string,
): Promise<ErasureResult & { readonly pseudonym: Pseudonym }> {
  PrivacyPolicy.assertErase(ctx.actor);
  const at = ctx.clock.now();
  const pseudonym = pseudonymOf(person.id);
  // Recorded first, so the sweep below scrubs the record's reason of the name it may contain.
  await ctx.repos.privacy.record({
    kind: 'erase',
    personId: person.id,
    requestedBy: Actor.recordedId(ctx.actor),
    channel: 'cli',
    reason,
    details: {},
    at,
  });
  const result = await ctx.repos.privacy.erasePerson(person.id, pseudonym, at);
  return { ...result, pseudonym };
}

/** A one-time download link of the actor's own export. */
export async function requestExportLink(ctx: UseCaseContext): Promise<{ readonly token: string; readonly expiresAt: Date }> {
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + EXPORT_LINK_TTL_MS);
  return { token: await ctx.repos.privacy.createExportLink(ctx.actor.personId, now, expiresAt), expiresAt };
}

export type ExportDownload =
  | { readonly ok: true; readonly personId: string; readonly data: PersonExport }
  | { readonly ok: false; readonly refused: ExportLinkRefusal };

/**
 * Uses a download link and builds the export, in one transaction: a link delivers once, however
 * many times it is presented; the delivery is recorded as the person's own request in chat.
 */
export function downloadExport(store: Store, clock: Clock, token: string): Promise<ExportDownload> {
  return store.transaction(async (repos) => {
    const now = clock.now();
    const used = await repos.privacy.consumeExportLink(token, now);
    if ('refused' in used) return { ok: false, refused: used.refused };
    const data = await repos.privacy.exportPerson(used.personId, now);
    await repos.privacy.record({
      kind: 'export',
      personId: used.personId,
      requestedBy: used.personId,
      channel: 'chat',
      reason: 'asked in chat',
      details: {},
      at: now,
    });
    return { ok: true, personId: used.personId, data };
  });
}

/** `months` calendar months before `now` (the 31st falls back to the month's last day). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The retention job: the personal data of tickets closed more than `months` months ago is
 * removed (their texts replaced), in batches; each ticket once. One record per run that cleared any.
 */
export async function applyRetention(
  opts: { readonly store: Store; readonly clock: Clock },
  months: number = DEFAULT_RETENTION_MONTHS,
): Promise<{ readonly cleared: readonly string[]; readonly cutoff: Date }> {
  const now = opts.clock.now();
  const cutoff = monthsBefore(now, months);
  const cleared: string[] = [];
  for (;;) {
    const batch = await opts.store.transaction(async (repos) => {
      const refs = await repos.privacy.clearClosedTickets(cutoff, REMOVED_TEXT, now, RETENTION_BATCH);
      if (refs.length)
        await repos.privacy.record({
          kind: 'retention',
          personId: null,
          requestedBy: null,
          channel: 'job',
          reason: `closed before ${cutoff.toISOString()} (${months} months)`,
          details: { tickets: refs },
          at: now,
        });
      return refs;
    });
    cleared.push(...batch);
    if (batch.length < RETENTION_BATCH) return { cleared, cutoff };
  }
}
