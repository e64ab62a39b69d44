/**
 * What each SLA event says, and to whom. Called when an event fires, in the firing transaction:
 * every message goes through the Notifier into the outbox, so it commits with the `fired_at`
 * mark and is delivered (with retries) by the outbox worker.
 *
 * | event                  | who hears                                                        |
 * |------------------------|------------------------------------------------------------------|
 * | response warn 75/90 %  | volunteers channel, under the card                               |
 * | resolution warn 75/90 %| the owner (the volunteers channel while nobody owns it)          |
 * | breach (either)        | volunteers and committee channels; the requester, in plain words |
 * | volunteer resolution breach | also: an offer to escalate to a vendor, to the requester and the moderators (recorded in the history) |
 * | unclaimed re-announce  | volunteers channel, with a wider mention and the Claim button    |
 * | unclaimed report       | every moderator, in a DM                                         |
 *
 * On the vendor tier the vendor's members take the volunteers' place: the re-announcement and
 * the warnings of an unclaimed ticket reach them in a DM, and a breach of the vendor's
 * commitment goes to the committee channel (not the volunteers'), the members and the requester.
 */

import { type Locale } from '../kernel/i18n.ts';
import type { Button, OutMessage } from '../kernel/message.ts';
import type { Notifier } from '../kernel/notifier.ts';
import type { Repositories } from '../kernel/ports.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { BusinessCalendar } from '../sla/business-calendar.ts';
import { SlaClock } from '../sla/sla-clock.ts';
import type { SlaEventRecord } from '../sla/sla-event-kind.ts';
import type { SlaContext } from '../sla/sla-events.ts';
import { formatDue, formatDuration } from '../sla/sla-format.ts';
import { SlaPolicy } from '../sla/sla-policy.ts';
import { cardRef } from '../tickets/ticket-card.ts';
import type { Vendor } from '../vendors/model.ts';
import { t } from './messages.ts';
import '../vendors/ports.ts';

/** The history field that records escalation offers and requests. */
export const ESCALATION_FIELD = 'escalation';

export interface SlaNoticeContext {
  readonly repos: Repositories;
  readonly notifier: Notifier;
  readonly sla: SlaContext;
  readonly now: Date;
}

/** Sends what `event` says about `ticket`. */
export async function sendSlaNotices(ctx: SlaNoticeContext, ticket: Ticket, event: SlaEventRecord): Promise<void> {
  const { repos, notifier, sla, now } = ctx;
  const row = SlaPolicy.find(sla.policies, ticket.tier, ticket.priority);
  const cal = SlaClock.calendarFor(sla.calendar, row.allHours);
  const day = SlaPolicy.dayMinutes(cal);
  const business = (l: Locale, minutes: number) =>
    row.allHours ? formatDuration(l, minutes, day) : t(l, 'sla.business', { duration: formatDuration(l, minutes, day) });
  const [org, owner] = await Promise.all([
    repos.people.findOrganisation(ticket.organisationId),
    ticket.assigneeId ? repos.people.findPerson(ticket.assigneeId) : undefined,
  ]);
  const base = { ref: ticket.ref, priority: ticket.priority, org: neutralizeMentions(org?.name ?? '?') };
  const channelOpts = { organisationId: ticket.organisationId };
  const vendor = ticket.tier === 'vendor' && ticket.vendorId ? await repos.vendors.findVendor(ticket.vendorId) : undefined;
  const members = vendor ? await repos.vendors.memberIds(vendor.id) : [];
  const toMembers = async (compose: (l: Locale) => OutMessage) => {
    for (const id of members) await notifier.toPerson(id, compose);
  };
  const details = (l: Locale): Button => ({ actionId: 'ticket.details', value: ticket.ref, label: t(l, 'button.details') });
  const claim = (l: Locale): Button => ({ actionId: 'ticket.claim', value: ticket.ref, label: t(l, 'button.claim'), style: 'primary' });

  if (event.target === 'unclaimed') {
    const periods = SlaClock.periods(ticket, await repos.tickets.listEvents(ticket.id));
    const since = periods[periods.length - 1]?.start ?? ticket.createdAt;
    const age = (l: Locale) => business(l, BusinessCalendar.businessMinutesBetween(cal, since, now));
    if (event.kind === 'reannounce' && vendor) {
      await toMembers((l) => ({
        text: t(l, 'sla.vendor.reannounce', { ...base, age: age(l), vendor: neutralizeMentions(vendor.name) }),
        buttons: [claim(l), details(l)],
      }));
    } else if (event.kind === 'reannounce') {
      await notifier.toChannels(
        'volunteers',
        (l) => ({ text: t(l, 'sla.unclaimed.reannounce', { ...base, age: age(l) }), buttons: [claim(l), details(l)], mention: 'here' }),
        channelOpts,
      );
    } else {
      for (const m of await repos.people.listPeopleWithRole('moderator')) {
        await notifier.toPerson(m.id, (l) => ({ text: t(l, 'sla.unclaimed.report', { ...base, age: age(l) }), buttons: [details(l)] }));
      }
    }
    return;
  }

  const target = event.target;
  const targetMinutes = SlaPolicy.targetMinutes(row, target);
  if (event.kind === 'warn_75' || event.kind === 'warn_90') {
    const share = event.kind === 'warn_75' ? 0.75 : 0.9;
    // The breach event still pending for this target holds the due time; in a batch that fires
    // the warning and its breach together, the breach is already marked: then the latest one.
    const breaches = (await repos.sla.listEvents(ticket.id)).filter((e) => e.target === target && e.kind === 'breach');
    const breach =
      breaches.find((e) => e.firedAt === null) ??
      breaches.reduce<(typeof breaches)[number] | undefined>((a, e) => (a && a.dueAt >= e.dueAt ? a : e), undefined);
    const params = (l: Locale) => ({
      ...base,
      title: forChannel(ticket.title, 80),
      due: breach ? formatDue(l, breach.dueAt, sla.calendar.timeZone) : '—',
      remaining: business(l, (1 - share) * targetMinutes),
    });
    if (target === 'resolution' && ticket.assigneeId) {
      await notifier.toPerson(ticket.assigneeId, (l) => ({ text: t(l, 'sla.warn.resolution', params(l)), buttons: [details(l)] }));
    } else if (vendor) {
      await toMembers((l) => ({
        text: t(l, `sla.warn.${target}`, params(l)),
        buttons: target === 'response' ? [claim(l), details(l)] : [details(l)],
      }));
    } else {
      await notifier.toChannels('volunteers', (l) => ({ text: t(l, `sla.warn.${target}`, params(l)) }), {
        ...channelOpts,
        threadRef: cardRef(ticket),
      });
    }
    return;
  }

  // Breach.
  const targetText = (l: Locale) => business(l, targetMinutes);
  const ownerName = neutralizeMentions(owner?.displayName ?? '—');
  if (vendor) return vendorBreach(ctx, ticket, vendor, { ...base, target: '', owner: ownerName }, targetText, target, toMembers);
  for (const purpose of ['volunteers', 'committee'] as const) {
    await notifier.toChannels(
      purpose,
      (l) => ({ text: t(l, `sla.breach.${target}`, { ...base, target: targetText(l), owner: ownerName }), buttons: [details(l)] }),
      channelOpts,
    );
  }
  await notifier.toPerson(ticket.requesterId, (l) => ({
    text: t(l, `sla.requester.breach.${target}`, { ref: ticket.ref, target: targetText(l) }),
  }));
  if (target === 'resolution' && ticket.tier === 'volunteer') await offerEscalation(ctx, ticket, base);
}

/** The vendor missed its commitment: the committee, the vendor's members and the requester hear it. */
async function vendorBreach(
  ctx: SlaNoticeContext,
  ticket: Ticket,
  vendor: Vendor,
  base: Readonly<Record<string, string | number>>,
  targetText: (l: Locale) => string,
  target: 'response' | 'resolution',
  toMembers: (compose: (l: Locale) => OutMessage) => Promise<void>,
): Promise<void> {
  const { notifier } = ctx;
  const details = (l: Locale): Button => ({ actionId: 'ticket.details', value: ticket.ref, label: t(l, 'button.details') });
  const params = (l: Locale) => ({ ...base, target: targetText(l), vendor: neutralizeMentions(vendor.name), vendorRef: vendor.ref });
  await notifier.toChannels('committee', (l) => ({ text: t(l, `sla.vendor.breach.${target}`, params(l)), buttons: [details(l)] }), {
    organisationId: ticket.organisationId,
  });
  await toMembers((l) => ({ text: t(l, `sla.vendor.breach.${target}`, params(l)), buttons: [details(l)] }));
  await notifier.toPerson(ticket.requesterId, (l) => ({ text: t(l, `sla.vendor.requester_breach.${target}`, params(l)) }));
}

/** A volunteer-tier resolution breach: offer the vendor tier, and record the offer. */
async function offerEscalation(ctx: SlaNoticeContext, ticket: Ticket, base: Readonly<Record<string, string | number>>): Promise<void> {
  const { repos, notifier, now } = ctx;
  await repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: null,
      at: now,
      field: ESCALATION_FIELD,
      from: null,
      to: 'offered',
      note: 'volunteer resolution target missed',
    },
  ]);
  const escalate = (l: Locale): Button => ({
    actionId: 'ticket.escalate',
    value: ticket.ref,
    label: t(l, 'button.escalate'),
    style: 'primary',
  });
  await notifier.toPerson(ticket.requesterId, (l) => ({ text: t(l, 'sla.escalation.offer', { ref: ticket.ref }), buttons: [escalate(l)] }));
  for (const m of await repos.people.listPeopleWithRole('moderator')) {
    if (m.id === ticket.requesterId) continue;
    await notifier.toPerson(m.id, (l) => ({ text: t(l, 'sla.escalation.offer_staff', base), buttons: [escalate(l)] }));
  }
}
