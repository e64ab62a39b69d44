/**
 * The paid tier in chat: `fornitore` (ask for a vendor on a ticket, apply for the register, add
 * a colleague, show a vendor), `albo`, `catalogo`, `offerta`, `proponi`, `preventivo`,
 * `recensione`, `tetto`. The committee's commands are in committee-commands.ts; the buttons and
 * dialogs in vendor-actions.ts and vendor-dialogs.ts.
 */

import { Actor } from '../kernel/actor.ts';
import { type CommandSpec, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { personArg } from '../kernel/person-arg.ts';
import { TicketRef } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { loadSlaContext } from '../sla/sla-events.ts';
import { publishOffer, searchCatalogue, withdrawOffer } from './catalogue.ts';
import { vendorByRef } from './decide-vendor.ts';
import { formatAmount, parseAmount } from './engagement.ts';
import { addVendorMember, setBudgetCap } from './members-and-caps.ts';
import { m, t } from './messages.ts';
import { type OfferKind, parseCategory, parseRegion, RegisterRef, type VendorCategory } from './model.ts';
import { pickVendor, proposeVendors } from './propose-and-pick.ts';
import { decideQuote, sendQuote } from './quote.ts';
import { requestVendor } from './request-vendor.ts';
import { reviewVendor } from './review-vendor.ts';
import { startApplication } from './vendor-dialogs.ts';
import { VendorPolicy } from './vendor-policy.ts';
import { catalogueList, engagementState, registerList, vendorCard } from './vendor-replies.ts';
import { vendorStats } from './vendor-stats.ts';

const APPLY = /^(candidatura|candida|apply|application)$/i;
const MEMBER = /^(membro|member|collega)$/i;
const WITHDRAW = /^(ritira|withdraw)$/i;
const APPROVE = /^(approva|approve|ok|si|sì|yes)$/i;
const DECLINE = /^(rifiuta|respingi|reject|decline|no)$/i;
const PARTICIPANTS = ['member', 'volunteer', 'vendor', 'moderator', 'committee', 'observer'] as const;

type UsageName = 'vendor' | 'register' | 'catalogue' | 'offer' | 'propose' | 'pick' | 'quote' | 'review' | 'cap';
const usage = (turn: Turn, name: UsageName) => turn.say(t(turn.locale, `usage.${name}`));

/** `fornitore INC-… [ambito] [regione]`: a request (a suggestion, from a volunteer). */
async function askForVendor(turn: Turn, ref: string, words: readonly string[]): Promise<void> {
  let category: VendorCategory | null = null;
  let region: string | null = null;
  for (const w of words) {
    const c = parseCategory(w);
    const r = c ? undefined : parseRegion(w);
    if (c) category = c;
    else if (r) region = r;
    else return usage(turn, 'vendor');
  }
  const outcome = await requestVendor(turn.ctx, ref, { category, region });
  if (outcome.kind === 'suggested') return turn.say(t(turn.locale, 'request.suggested', { ref: outcome.ticket.ref }));
  if (outcome.kind === 'requested') return turn.say(t(turn.locale, 'request.done', { ref: outcome.ticket.ref }));
  const e = outcome.engagement;
  if (!e) return turn.say(t(turn.locale, 'request.already', { ref: outcome.ticket.ref }));
  const vendor = e.vendorId ? await turn.ctx.repos.vendors.findVendor(e.vendorId) : undefined;
  turn.say(engagementState(turn.locale, outcome.ticket.ref, e, vendor));
}

async function showVendor(turn: Turn, typed: string): Promise<void> {
  const ctx = turn.ctx;
  VendorPolicy.assertRegisterReader(ctx.actor);
  const vendor = await vendorByRef(ctx, typed);
  const now = ctx.clock.now();
  const [stats, offers] = await Promise.all([vendorStats(ctx.repos, vendor, now), ctx.repos.vendors.listOffers(vendor.id)]);
  turn.replyPrivately(vendorCard(turn.locale, vendor, stats, { staff: Actor.isStaff(ctx.actor), offers, now }));
}

async function vendorCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [first, second, third] = c.args;
  if (!first) return usage(turn, 'vendor');
  if (APPLY.test(first)) return startApplication(turn);
  if (MEMBER.test(first)) {
    if (!second || !third) return usage(turn, 'vendor');
    const { vendor, person } = await addVendorMember(turn.ctx, second, await personArg(turn, third));
    return turn.say(t(turn.locale, 'ok.member_added', { handle: person.handle, vendor: vendor.name }));
  }
  if (TicketRef.parse(first)) return askForVendor(turn, first, c.args.slice(1));
  if (RegisterRef.parse('vendor', first)) return showVendor(turn, first);
  return usage(turn, 'vendor');
}

/** `offerta [FOR-…] servizio|soluzione <ambito> <titolo> | <prezzo> | <condizioni>` or `offerta ritira OFF-…`. */
async function offerCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  if (WITHDRAW.test(c.args[0] ?? '')) {
    const offer = await withdrawOffer(turn.ctx, c.args[1] ?? '');
    return turn.say(t(turn.locale, 'ok.offer_withdrawn', { ref: offer.ref }));
  }
  let words = c.rest;
  const vendorRef = RegisterRef.parse('vendor', c.args[0] ?? '') ? c.args[0] : undefined;
  if (vendorRef) words = restAfter(words, 1);
  const [head = '', priceTerms, conditions] = words.split('|').map((s) => s.trim());
  const [kindWord = '', categoryWord = ''] = head.split(/\s+/);
  const kind: OfferKind | undefined = /^(servizio|service)$/i.test(kindWord)
    ? 'service'
    : /^(soluzione|solution)$/i.test(kindWord)
      ? 'solution'
      : undefined;
  const category = parseCategory(categoryWord);
  const title = restAfter(head, 2);
  if (!kind || !category || !title || !priceTerms || !conditions) return usage(turn, 'offer');
  const { offer, vendor } = await publishOffer(turn.ctx, {
    ...(vendorRef ? { vendorRef } : {}),
    kind,
    category,
    title,
    priceTerms,
    conditions,
  });
  turn.say(t(turn.locale, 'ok.offer_published', { ref: offer.ref, vendor: vendor.name }));
}

/** `preventivo <id> <importo> <giorni> <nota>` (the vendor) · `preventivo <id> approva|rifiuta [motivo]` (ICT lead, moderator). */
async function quoteCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [ref, second = '', third = ''] = c.args;
  if (!ref || !second) return usage(turn, 'quote');
  if (APPROVE.test(second) || DECLINE.test(second)) {
    const approve = APPROVE.test(second);
    const e = await decideQuote(turn.ctx, ref, approve, restAfter(c.rest, 2));
    return turn.say(
      t(turn.locale, `ok.quote_${e.status === 'awaiting_second_approval' ? 'second' : approve ? 'approved' : 'declined'}`, {
        ref: TicketRef.parse(ref) ?? ref,
      }),
    );
  }
  const amount = parseAmount(second);
  const days = Number(third);
  const note = restAfter(c.rest, 3);
  if (amount === undefined || !/^\d{1,3}$/.test(third) || !note) return usage(turn, 'quote');
  await sendQuote(turn.ctx, ref, { amountCents: amount, days, note });
  turn.say(t(turn.locale, 'ok.quote_sent', { ref: TicketRef.parse(ref) ?? ref, amount: formatAmount(turn.locale, amount), days }));
}

export const vendorCommands: CommandSpec[] = [
  {
    name: 'vendor',
    words: { it: ['fornitore', 'fornitori'], en: ['vendor', 'vendors'] },
    grammar: Grammar.first(/^((INC|REQ|RFC|PRB)[\s-]*\d+|FOR[\s-]*\d+|candidatura|candida|apply|application|membro|member)$/i),
    audience: PARTICIPANTS,
    section: 'vendors',
    ...m.helpOf('vendor'),
    usage: (l) => t(l, 'usage.vendor'),
    handle: vendorCommand,
  },
  {
    name: 'register',
    words: { it: ['albo'], en: ['register'] },
    grammar: Grammar.first(/^\S+$/, 1),
    audience: PARTICIPANTS,
    section: 'vendors',
    ...m.helpOf('register'),
    async handle(turn, c) {
      const ctx = turn.ctx;
      VendorPolicy.assertRegisterReader(ctx.actor);
      const category = c.args[0] ? parseCategory(c.args[0]) : null;
      if (category === undefined) return usage(turn, 'register');
      const now = ctx.clock.now();
      const sla = await loadSlaContext(ctx.repos);
      const vendors = await ctx.repos.vendors.listVendors({ certifiedAt: now, ...(category ? { category } : {}) });
      const rows = await Promise.all(vendors.map(async (vendor) => ({ vendor, stats: await vendorStats(ctx.repos, vendor, now, sla) })));
      turn.replyPrivately(registerList(turn.locale, rows, category));
    },
    usage: (l) => t(l, 'usage.register'),
  },
  {
    name: 'catalogue',
    words: { it: ['catalogo'], en: ['catalogue', 'catalog'] },
    grammar: Grammar.free,
    audience: PARTICIPANTS,
    section: 'vendors',
    ...m.helpOf('catalogue'),
    usage: (l) => t(l, 'usage.catalogue'),
    async handle(turn, c) {
      if (!c.rest) return usage(turn, 'catalogue');
      turn.replyPrivately(catalogueList(turn.locale, c.rest, await searchCatalogue(turn.ctx, c.rest)));
    },
  },
  {
    name: 'offer',
    words: { it: ['offerta'], en: ['offer'] },
    grammar: Grammar.first(/^(servizio|service|soluzione|solution|ritira|withdraw|FOR[\s-]*\d+)$/i),
    audience: ['vendor', 'moderator'],
    section: 'vendors',
    ...m.helpOf('offer'),
    usage: (l) => t(l, 'usage.offer'),
    handle: offerCommand,
  },
  {
    name: 'propose',
    words: { it: ['proponi'], en: ['propose'] },
    grammar: Grammar.ticket,
    audience: ['moderator'],
    section: 'vendors',
    ...m.helpOf('propose'),
    usage: (l) => t(l, 'usage.propose'),
    async handle(turn, c) {
      const [ref, ...vendors] = c.args;
      if (!ref) return usage(turn, 'propose');
      const r = await proposeVendors(turn.ctx, ref, vendors.length ? vendors : 'auto');
      turn.say(t(turn.locale, 'ok.proposed', { ref: r.ticket.ref, vendors: r.vendors.map((v) => `${v.ref} ${v.name}`).join(', ') }));
    },
  },
  {
    name: 'pick',
    words: { it: ['scegli'], en: ['pick'] },
    grammar: Grammar.ticket,
    audience: ['member'],
    section: 'vendors',
    ...m.helpOf('pick'),
    usage: (l) => t(l, 'usage.pick'),
    async handle(turn, c) {
      const [ref, vendor] = c.args;
      if (!ref || !vendor) return usage(turn, 'pick');
      const r = await pickVendor(turn.ctx, ref, vendor);
      turn.say(t(turn.locale, 'ok.picked', { ref: r.ticket.ref, vendor: r.vendor.name }));
    },
  },
  {
    name: 'quote',
    words: { it: ['preventivo'], en: ['quote'] },
    grammar: Grammar.ticket,
    audience: ['vendor', 'ict_lead', 'moderator'],
    section: 'vendors',
    ...m.helpOf('quote'),
    usage: (l) => t(l, 'usage.quote'),
    handle: quoteCommand,
  },
  {
    name: 'review',
    words: { it: ['recensione', 'recensisci'], en: ['review'] },
    grammar: Grammar.ticket,
    audience: ['member'],
    section: 'vendors',
    ...m.helpOf('review'),
    usage: (l) => t(l, 'usage.review'),
    async handle(turn, c) {
      const [ref, stars] = c.args;
      if (!ref || !stars || !/^[1-5]$/.test(stars)) return usage(turn, 'review');
      const r = await reviewVendor(turn.ctx, ref, Number(stars), restAfter(c.rest, 2));
      turn.say(t(turn.locale, 'review.thanks', { ref: r.ticket.ref }));
    },
  },
  {
    name: 'cap',
    words: { it: ['tetto'], en: ['cap'] },
    grammar: Grammar.first(/^(\d{11}|[A-Z0-9]{16})$/i),
    audience: ['moderator', 'committee'],
    section: 'vendors',
    ...m.helpOf('cap'),
    usage: (l) => t(l, 'usage.cap'),
    async handle(turn, c) {
      const [fiscal, amountWord = ''] = c.args;
      const none = /^(nessuno|none|-)$/i.test(amountWord);
      const cents = none ? null : parseAmount(amountWord);
      if (!fiscal || cents === undefined) return usage(turn, 'cap');
      const org = await setBudgetCap(turn.ctx, fiscal, cents);
      turn.say(
        cents === null
          ? t(turn.locale, 'ok.cap_removed', { org: org.name })
          : t(turn.locale, 'ok.cap_set', { org: org.name, amount: formatAmount(turn.locale, cents) }),
      );
    },
  },
];
