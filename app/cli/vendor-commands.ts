/**
 * The register and the catalogue from the command line: `vendor add|list|show|certify|revoke`
 * and `catalogue search`, acting as the system (the committee's powers), every decision recorded
 * in the committee's ledger like one taken in chat.
 */
import type { UseCaseContext } from '../../core/kernel/context.ts';
import { formatDay } from '../../core/kernel/format.ts';
import type { Repositories } from '../../core/kernel/ports.ts';
import { searchCatalogue } from '../../core/vendors/catalogue.ts';
import { decideVendor, type VendorDecision, vendorByRef } from '../../core/vendors/decide-vendor.ts';
import { t as vendorText } from '../../core/vendors/messages.ts';
import {
  parseCategory,
  parseList,
  parseRegion,
  VENDOR_STATUSES,
  Vendor,
  type VendorCategory,
  type VendorStatus,
} from '../../core/vendors/model.ts';
import { registerVendor } from '../../core/vendors/register-vendor.ts';
import { vendorStats } from '../../core/vendors/vendor-stats.ts';
import { list, optional, optionalChoice, optionalInt, required } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { cliText } from './messages.ts';
import { personByHandle } from './session.ts';
import { formatTable } from './table.ts';

/** What the CLI shows of a vendor: its particulars, its standing now, its record and members. */
async function vendorView(ctx: UseCaseContext, v: Vendor) {
  const now = ctx.clock.now();
  const [stats, members, offers] = await Promise.all([
    vendorStats(ctx.repos, v, now),
    memberHandles(ctx.repos, v.id),
    ctx.repos.vendors.listOffers(v.id),
  ]);
  return {
    ref: v.ref,
    name: v.name,
    vatNumber: v.vatNumber,
    status: v.status,
    // Past its expiry a vendor is no longer certified, even before the hourly sweep records the lapse.
    certified: Vendor.isCertified(v, now),
    certifiedUntil: v.certifiedUntil,
    regions: v.regions,
    categories: v.categories,
    contacts: v.contacts,
    members,
    stats,
    offers: offers
      .filter((o) => !o.withdrawnAt)
      .map((o) => ({ id: o.ref, kind: o.kind, category: o.category, title: o.title, priceTerms: o.priceTerms, conditions: o.conditions })),
  };
}

async function memberHandles(repos: Repositories, vendorId: string): Promise<string[]> {
  const people = await Promise.all((await repos.vendors.memberIds(vendorId)).map((id) => repos.people.findPerson(id)));
  return people.flatMap((p) => (p ? [p.handle] : []));
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

function parseTyped<T>(what: string, typed: readonly string[], parse: (w: string) => T | undefined): T[] {
  const { values, unknown } = parseList(typed.join(','), parse);
  if (unknown.length) throw new UsageError(`unknown ${what}: ${unknown.join(', ')}`);
  return values;
}

export const vendorAdd = defineCommand({
  name: 'vendor add',
  synopsis: '--name N --vat PARTITAIVA --regions R[,R…] --categories C[,C…] --contacts TEXT [--member HANDLE]… [--certify --reason TEXT]',
  summary: 'register a vendor company (VAT number checked with its check digit); --certify approves it at once (12 months)',
  options: {
    name: { type: 'string' },
    vat: { type: 'string' },
    regions: { type: 'string', multiple: true },
    categories: { type: 'string', multiple: true },
    contacts: { type: 'string' },
    member: { type: 'string', multiple: true },
    certify: { type: 'boolean' },
    reason: { type: 'string' },
  },
  parse(args) {
    const certify = args.values['certify'] === true;
    const regions = parseTyped('region', list(args, 'regions'), parseRegion);
    const categories = parseTyped<VendorCategory>('category', list(args, 'categories'), parseCategory);
    if (regions.length === 0) throw new UsageError('missing required option --regions');
    if (categories.length === 0) throw new UsageError('missing required option --categories');
    return {
      name: required(args, 'name'),
      vatNumber: required(args, 'vat'),
      regions,
      categories,
      contacts: required(args, 'contacts'),
      members: list(args, 'member'),
      certify,
      reason: certify ? required(args, 'reason') : '',
    };
  },
  async run(session, input) {
    const view = await session.run(undefined, async (ctx) => {
      let vendor = await registerVendor(ctx, input);
      for (const handle of input.members) {
        const person = await personByHandle(ctx.repos, handle);
        await ctx.repos.vendors.addMember(vendor.id, person.id, null, 'sportello vendor add', ctx.clock.now());
      }
      if (input.certify) vendor = await decideVendor(ctx, vendor.ref, 'approve', input.reason);
      return vendorView(ctx, vendor);
    });
    return {
      json: view,
      text: cliText(session.locale, 'vendor.added', {
        ref: view.ref,
        name: view.name,
        status: vendorText(session.locale, `vendor_status.${view.status}`),
      }),
    };
  },
});

export const vendorList = defineCommand({
  name: 'vendor list',
  synopsis: `[--status ${VENDOR_STATUSES.join('|')}] [--category C]`,
  summary: "list the register with each vendor's record (engagements, on-time rates, rating, complaints)",
  options: { status: { type: 'string' }, category: { type: 'string' } },
  parse(args) {
    const typed = optional(args, 'category');
    const category = typed === undefined ? undefined : parseCategory(typed);
    if (typed !== undefined && !category) throw new UsageError(`unknown category: ${typed}`);
    return { status: optionalChoice<VendorStatus>(args, 'status', VENDOR_STATUSES), category };
  },
  async run(session, input) {
    const views = await session.run(undefined, async (ctx) => {
      const vendors = await ctx.repos.vendors.listVendors({
        ...(input.status ? { statuses: [input.status] } : {}),
        ...(input.category ? { category: input.category } : {}),
      });
      return Promise.all(vendors.map((v) => vendorView(ctx, v)));
    });
    const l = session.locale;
    const text = views.length
      ? formatTable(
          views.map((v) => [
            v.ref,
            v.certified
              ? `${vendorText(l, 'vendor_status.certified')} → ${v.certifiedUntil ? formatDay(l, v.certifiedUntil) : '—'}`
              : vendorText(l, `vendor_status.${v.status === 'certified' ? 'lapsed' : v.status}`),
            `★${v.stats.rating?.toFixed(1) ?? '—'} (${v.stats.reviews})`,
            `${v.stats.engagements}`,
            `${pct(v.stats.responseOnTime)}/${pct(v.stats.resolutionOnTime)}`,
            `${v.stats.complaints}`,
            v.name,
          ]),
        )
      : cliText(l, 'vendor.none');
    return { json: views, text };
  },
});

export const vendorShow = defineCommand({
  name: 'vendor show',
  synopsis: 'REF',
  summary: "a vendor: particulars, members, record, offers and the committee's decisions",
  options: {},
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '' }),
  async run(session, input) {
    const shown = await session.run(undefined, async (ctx) => {
      const vendor = await vendorByRef(ctx, input.ref);
      const decisions = await ctx.repos.certifications.listDecisions({ subjectKind: 'vendor', subjectId: vendor.id, limit: 100 });
      return {
        ...(await vendorView(ctx, vendor)),
        decisions: decisions.map(({ decision, reason, decidedBy, decidedAt, validUntil }) => ({
          decision,
          reason,
          decidedBy,
          decidedAt,
          validUntil,
        })),
      };
    });
    const l = session.locale;
    const s = shown.stats;
    const text = [
      `${shown.ref} ${shown.name} (${shown.vatNumber}) · ${vendorText(l, `vendor_status.${shown.status}`)}${shown.certifiedUntil ? ` · ${formatDay(l, shown.certifiedUntil)}` : ''}`,
      `${shown.regions.join(', ')} · ${shown.categories.join(', ')} · ${shown.contacts}`,
      `members: ${shown.members.map((h) => `@${h}`).join(', ') || '—'}`,
      `engagements ${s.engagements} (active ${s.active}, finished ${s.finished}, handed back ${s.handedBack}) · on time: response ${pct(s.responseOnTime)}, resolution ${pct(s.resolutionOnTime)} · rating ${s.rating ?? '—'} (${s.reviews}) · complaints ${s.complaints} (${s.openComplaints} open)`,
      ...shown.offers.map((o) => `${o.id} ${o.title} · ${o.priceTerms} · ${o.conditions}`),
      ...shown.decisions.map((d) => `${d.decidedAt.toISOString()} ${d.decision}: ${d.reason}`),
    ].join('\n');
    return { json: shown, text };
  },
});

/** `vendor certify`: approve an application, renew a certification (also once lapsed), or reinstate a suspended vendor. */
function certifyDecision(status: VendorStatus): VendorDecision {
  return status === 'applied' ? 'approve' : status === 'suspended' ? 'reinstate' : 'renew';
}

function decision(name: 'vendor certify' | 'vendor revoke', summary: string) {
  return defineCommand({
    name,
    synopsis: 'REF --reason TEXT',
    summary,
    options: { reason: { type: 'string' } },
    positionals: ['REF'],
    parse: (args) => ({ ref: args.positionals[0] ?? '', reason: required(args, 'reason') }),
    async run(session, input) {
      const view = await session.run(undefined, async (ctx) => {
        const current = await vendorByRef(ctx, input.ref);
        const updated = await decideVendor(
          ctx,
          current.ref,
          name === 'vendor revoke' ? 'revoke' : certifyDecision(current.status),
          input.reason,
        );
        return vendorView(ctx, updated);
      });
      return {
        json: view,
        text: cliText(session.locale, 'vendor.decided', {
          ref: view.ref,
          name: view.name,
          status: vendorText(session.locale, `vendor_status.${view.status}`),
        }),
      };
    },
  });
}

export const vendorCertify = decision(
  'vendor certify',
  'approve an application, renew a certification for 12 months, or reinstate a suspended vendor (recorded, announced)',
);
export const vendorRevoke = decision(
  'vendor revoke',
  'revoke a vendor: its open engagements go back to the moderators, the nonprofits are told',
);

export const catalogueSearch = defineCommand({
  name: 'catalogue search',
  synopsis: 'WORDS... [--limit N]',
  summary: 'search the offers of certified vendors (Italian full-text search), best first',
  options: { limit: { type: 'string' } },
  positionals: ['WORDS...'],
  parse(args) {
    const words = args.positionals.join(' ').trim();
    if (!words) throw new UsageError('missing WORDS');
    return { words, limit: optionalInt(args, 'limit', 1, 50) ?? 10 };
  },
  async run(session, input) {
    const hits = await session.run(undefined, (ctx) => searchCatalogue(ctx, input.words, input.limit));
    const json = hits.map((h) => ({
      id: h.offer.ref,
      kind: h.offer.kind,
      category: h.offer.category,
      title: h.offer.title,
      priceTerms: h.offer.priceTerms,
      conditions: h.offer.conditions,
      vendor: { ref: h.vendor.ref, name: h.vendor.name },
      score: Math.round(h.rank * 1000) / 1000,
    }));
    const text = json.length
      ? formatTable(json.map((h) => [h.score.toFixed(3), h.id, h.vendor.ref, h.title, h.priceTerms]))
      : vendorText(session.locale, 'catalogue.empty');
    return { json, text };
  },
});
