/** How the register, a vendor, the catalogue and the committee's decisions read in chat. */

import { formatDate, formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { CommitteeDecision } from '../people/ports.ts';
import { type Engagement, formatAmount } from './engagement.ts';
import { t } from './messages.ts';
import { type Offer, REGIONS, type Vendor, type VendorCategory } from './model.ts';
import type { OfferHit } from './ports.ts';
import { vendorFields } from './register-vendor.ts';
import type { VendorStats } from './vendor-stats.ts';

const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** One line of the register: rating, engagements, on-time rate, regions, fields. */
export function vendorLine(l: Locale, v: Vendor, s: VendorStats): string {
  return t(l, 'register.line', {
    ref: v.ref,
    name: neutralizeMentions(v.name),
    rating: s.rating === null ? '—' : `★${s.rating.toFixed(1)}`,
    reviews: s.reviews,
    engagements: s.engagements,
    onTime: percent(s.resolutionOnTime),
    regions: v.regions.map((r) => REGIONS[r] ?? r).join(', '),
    categories: v.categories.map((c) => t(l, `category.${c}`)).join(', '),
  });
}

export function registerList(
  l: Locale,
  rows: readonly { readonly vendor: Vendor; readonly stats: VendorStats }[],
  category: VendorCategory | null,
): OutMessage {
  const title = category ? t(l, 'register.title_category', { category: t(l, `category.${category}`) }) : t(l, 'register.title');
  if (rows.length === 0) return { title, text: t(l, 'register.empty') };
  return { title, text: [...rows.map((r) => `• ${vendorLine(l, r.vendor, r.stats)}`), '', t(l, 'register.hint')].join('\n') };
}

/** A vendor's page; staff also see its complaints and the detail of its record. */
export function vendorCard(
  l: Locale,
  v: Vendor,
  s: VendorStats,
  opts: { readonly staff: boolean; readonly offers: readonly Offer[]; readonly now: Date },
): OutMessage {
  const standing =
    v.status === 'certified' && v.certifiedUntil && v.certifiedUntil > opts.now
      ? t(l, 'vendor.certified_until', { until: formatDay(l, v.certifiedUntil) })
      : t(l, `vendor_status.${v.status === 'certified' ? 'lapsed' : v.status}`);
  const fields = [
    { label: t(l, 'vendor.field.standing'), value: standing },
    ...vendorFields(l, v),
    {
      label: t(l, 'vendor.field.rating'),
      value: s.rating === null ? '—' : t(l, 'vendor.rating', { rating: s.rating.toFixed(1), reviews: s.reviews }),
    },
    {
      label: t(l, 'vendor.field.engagements'),
      value: t(l, 'vendor.engagements', { n: s.engagements, active: s.active, finished: s.finished, handedBack: s.handedBack }),
    },
    {
      label: t(l, 'vendor.field.on_time'),
      value: t(l, 'vendor.on_time', { response: percent(s.responseOnTime), resolution: percent(s.resolutionOnTime) }),
    },
    ...(opts.staff
      ? [{ label: t(l, 'vendor.field.complaints'), value: t(l, 'vendor.complaints', { total: s.complaints, open: s.openComplaints }) }]
      : []),
  ];
  const offers = opts.offers.filter((o) => !o.withdrawnAt).map((o) => `• ${offerLine(l, o)}`);
  return {
    title: `${v.ref} · ${neutralizeMentions(v.name)}`,
    text: offers.length ? [t(l, 'vendor.offers'), ...offers].join('\n') : t(l, 'vendor.no_offers'),
    fields,
  };
}

export function offerLine(l: Locale, o: Offer): string {
  return t(l, 'catalogue.line', {
    ref: o.ref,
    kind: t(l, `offer.${o.kind}`),
    category: t(l, `category.${o.category}`),
    title: forChannel(o.title, 120),
    price: forChannel(o.priceTerms, 200),
    conditions: forChannel(o.conditions, 300),
  });
}

export function catalogueList(l: Locale, query: string, hits: readonly OfferHit[]): OutMessage {
  const title = t(l, 'catalogue.title', { query: forChannel(query, 60) });
  if (hits.length === 0) return { title, text: t(l, 'catalogue.empty') };
  return { title, text: hits.map((h) => `• ${offerLine(l, h.offer)} — ${h.vendor.ref} ${neutralizeMentions(h.vendor.name)}`).join('\n') };
}

export function decisionsList(
  l: Locale,
  subject: string | null,
  rows: readonly { readonly d: CommitteeDecision; readonly by: string }[],
): OutMessage {
  const title = subject ? t(l, 'decisions.title_subject', { subject: forChannel(subject, 60) }) : t(l, 'decisions.title');
  if (rows.length === 0) return { title, text: t(l, 'decisions.empty') };
  return {
    title,
    text: rows
      .map(({ d, by }) =>
        t(l, 'decisions.line', {
          when: formatDate(l, d.decidedAt),
          subject: neutralizeMentions(d.subjectLabel),
          decision: t(l, `decision.${d.decision}`),
          role: d.role ? ` (${t(l, `role.${d.role}`)})` : '',
          until: d.validUntil ? t(l, 'decisions.until', { until: formatDay(l, d.validUntil) }) : '',
          by: neutralizeMentions(by),
          reason: forChannel(d.reason, 200),
        }),
      )
      .join('\n'),
  };
}

/** Where a ticket's vendor request stands (`fornitore INC-…` asked again). */
export function engagementState(l: Locale, ref: string, e: Engagement, vendor: Vendor | undefined): string {
  const base = t(l, 'engagement.state', { ref, state: t(l, `engagement.${e.status}`) });
  const who = vendor ? ` ${t(l, 'engagement.state_vendor', { vendor: neutralizeMentions(vendor.name) })}` : '';
  const quote = e.quote ? ` ${t(l, 'engagement.state_quote', { amount: formatAmount(l, e.quote.amountCents), days: e.quote.days })}` : '';
  return `${base}${who}${quote}`;
}
