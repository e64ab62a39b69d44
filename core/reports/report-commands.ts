/**
 * The reports in chat: `report settimana|mese [codice fiscale]` (the flow of work) and
 * `report pubblico settimana|mese` (the observers' version), answered privately; `nominaci sì|no`
 * for an ICT lead to say whether the organisation may be named in the observers' reports.
 */
import { Actor } from '../kernel/actor.ts';
import { type CommandSpec, type Feature, Grammar } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Turn } from '../kernel/turn.ts';
import { m, t } from './messages.ts';
import { lastDays } from './period.ts';
import { ReportPolicy } from './report-policy.ts';
import { flowReportMessage, observerReportMessage } from './report-text.ts';

const PERIOD_DAYS: Readonly<Record<string, number>> = { settimana: 7, week: 7, mese: 30, month: 30 };
const PUBLIC = /^(pubblico|public|osservatori|observers)$/i;
const YES = /^(s[iì]|yes|y)$/i;
const NO = /^(no|n)$/i;

async function organisationArg(turn: Turn, code: string | undefined): Promise<{ id: string; name: string } | undefined> {
  if (!code) return undefined;
  const org = await turn.ctx.repos.people.findOrganisationByFiscalCode(code.toUpperCase());
  if (!org) throw new DomainError('organisation_not_found', { code: code.slice(0, 20) });
  return org;
}

async function report(turn: Turn, args: readonly string[]): Promise<void> {
  const ctx = turn.ctx;
  const isPublic = PUBLIC.test(args[0] ?? '');
  const [periodWord, code] = isPublic ? args.slice(1) : args;
  const days = PERIOD_DAYS[(periodWord ?? '').toLowerCase()];
  if (!days) return turn.say(t(turn.locale, 'usage.report'));
  const period = lastDays(ctx.clock.now(), days);
  if (isPublic) {
    ReportPolicy.assertObserverReport(ctx.actor);
    return turn.replyPrivately(observerReportMessage(turn.locale, await ctx.repos.reports.observerReport(period, {})));
  }
  const asked = await organisationArg(turn, code);
  const scope = ReportPolicy.flowScope(ctx.actor, asked?.id);
  const org = asked ?? (scope ? await ctx.repos.people.findOrganisation(scope) : undefined);
  const r = await ctx.repos.reports.flowReport(period, scope ? { organisationId: scope } : {});
  turn.replyPrivately(flowReportMessage(turn.locale, r, org?.name));
}

async function naming(turn: Turn, args: readonly string[]): Promise<void> {
  const ctx = turn.ctx;
  const [answer, code] = args;
  const named = YES.test(answer ?? '') ? true : NO.test(answer ?? '') ? false : undefined;
  if (named === undefined) return turn.say(t(turn.locale, 'usage.naming'));
  const orgs = Actor.organisations(ctx.actor);
  const org =
    (await organisationArg(turn, code)) ?? (orgs.length === 1 && orgs[0] ? await ctx.repos.people.findOrganisation(orgs[0]) : undefined);
  if (!org) return turn.say(t(turn.locale, 'usage.naming'));
  ReportPolicy.assertNaming(ctx.actor, org.id);
  await ctx.repos.reports.setNamedInReports(org.id, named);
  turn.say(t(turn.locale, named ? 'report.named_on' : 'report.named_off', { org: org.name }));
}

const commands: CommandSpec[] = [
  {
    name: 'report',
    words: { it: ['report', 'rapporto'], en: ['report'] },
    grammar: Grammar.first(/^(settimana|mese|week|month|pubblico|public|osservatori|observers)$/i, 3),
    audience: ['volunteer', 'moderator', 'committee', 'ict_lead', 'observer'],
    section: 'committee',
    ...m.helpOf('report'),
    usage: (l) => t(l, 'usage.report'),
    handle: (turn, c) => report(turn, c.args),
  },
  {
    name: 'naming',
    words: { it: ['nominaci'], en: ['nameus'] },
    grammar: Grammar.first(/^(s[iì]|yes|y|no|n)$/i, 2),
    audience: ['ict_lead', 'moderator', 'committee'],
    section: 'account',
    ...m.helpOf('naming'),
    usage: (l) => t(l, 'usage.naming'),
    handle: (turn, c) => naming(turn, c.args),
  },
];

export const reportsFeature: Feature = { name: 'reports', commands };
