import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { t } from './messages.ts';
import { REGIONS, type Vendor, type VendorCategory } from './model.ts';
import { isValidVatNumber, normalizeVatNumber } from './vat-number.ts';

export interface VendorInput {
  readonly name: string;
  readonly vatNumber: string;
  readonly regions: readonly string[];
  readonly categories: readonly VendorCategory[];
  readonly contacts: string;
}

const NAME_MAX = 120;
const CONTACTS_MAX = 300;

/** The input checked and normalized: a name, a VAT number with its check digit, at least one region and field. */
export function checkVendorInput(input: VendorInput): VendorInput {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (!name || name.length > NAME_MAX) throw new DomainError('invalid_input', { field: 'name', max: NAME_MAX });
  const vatNumber = normalizeVatNumber(input.vatNumber);
  if (!vatNumber || !isValidVatNumber(vatNumber)) throw new DomainError('invalid_vat', { vat: input.vatNumber.trim().slice(0, 20) });
  if (input.regions.length === 0 || input.regions.some((r) => !REGIONS[r]))
    throw new DomainError('invalid_input', { field: 'region', max: 20 });
  if (input.categories.length === 0) throw new DomainError('invalid_input', { field: 'category', max: 11 });
  const contacts = input.contacts.trim();
  if (!contacts || contacts.length > CONTACTS_MAX) throw new DomainError('invalid_input', { field: 'contacts', max: CONTACTS_MAX });
  return { name, vatNumber, regions: [...new Set(input.regions)], categories: [...new Set(input.categories)], contacts };
}

/** The stable outbox reference of an application's card in the committee channel (edited on the decision). */
export const applicationRef = (v: Pick<Vendor, 'ref'>): string => `vendor-app:${v.ref}`;

/** The vendor's particulars as message fields. */
export function vendorFields(l: Locale, v: Vendor): { label: string; value: string }[] {
  return [
    { label: t(l, 'vendor.field.vat'), value: v.vatNumber },
    { label: t(l, 'vendor.field.regions'), value: v.regions.map((r) => REGIONS[r] ?? r).join(', ') },
    { label: t(l, 'vendor.field.categories'), value: v.categories.map((c) => t(l, `category.${c}`)).join(', ') },
    { label: t(l, 'vendor.field.contacts'), value: neutralizeMentions(v.contacts) },
  ];
}

/** The application card: Approve / Reject while it waits, the outcome once decided. */
export function applicationCard(l: Locale, v: Vendor, applicant: string | null): OutMessage {
  const waiting = v.status === 'applied';
  return {
    title: t(l, 'vendor.application.title', { ref: v.ref, name: neutralizeMentions(v.name) }),
    text: waiting
      ? t(l, 'vendor.application.text', { by: neutralizeMentions(applicant ?? '—') })
      : t(l, 'vendor.application.decided', { status: t(l, `vendor_status.${v.status}`) }),
    fields: vendorFields(l, v),
    ...(waiting
      ? {
          buttons: [
            { actionId: 'vendor.decide', value: `approve:${v.ref}`, label: t(l, 'button.approve'), style: 'primary' as const },
            { actionId: 'vendor.decide', value: `reject:${v.ref}`, label: t(l, 'button.reject'), style: 'danger' as const },
          ],
        }
      : {}),
  };
}

/**
 * A company applies for the register (in chat: the applicant becomes its first member) or is
 * added by the CLI. The application waits for the committee: its card, with Approve and Reject,
 * goes to the committee channel. One company per VAT number.
 */
export async function registerVendor(ctx: UseCaseContext, raw: VendorInput): Promise<Vendor> {
  const input = checkVendorInput(raw);
  const existing = await ctx.repos.vendors.findVendorByVat(input.vatNumber);
  if (existing) throw new DomainError('already_exists', { name: input.vatNumber, role: existing.ref });
  const now = ctx.clock.now();
  const applicant = Actor.recordedId(ctx.actor);
  const vendor = await ctx.repos.vendors.insertVendor(
    { ...input, ref: await ctx.repos.vendors.nextRef('vendor'), status: 'applied', certifiedUntil: null, appliedBy: applicant },
    now,
  );
  if (applicant) await ctx.repos.vendors.addMember(vendor.id, applicant, null, t(ctx.defaultLocale, 'vendor.member.applicant'), now);
  const by = applicant ? ctx.actor.displayName : null;
  await ctx.notifier.toChannels('committee', (l) => applicationCard(l, vendor, by), { ref: applicationRef(vendor) });
  return vendor;
}
