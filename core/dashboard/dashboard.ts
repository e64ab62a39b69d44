/**
 * The dashboard's use cases: a one-time login link asked for in chat, the browser session it
 * opens, the person behind a session (with their roles read afresh at every request, so a
 * revoked role applies at once), signing out, and the overview scoped by the policy.
 */

import type { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Person } from '../kernel/person.ts';
import type { Clock, Repositories, Store } from '../kernel/ports.ts';
import { TICKET_STATUSES } from '../kernel/ticket.ts';
import { actorForPerson } from '../people/resolve-actor.ts';
import { SlaClock } from '../sla/sla-clock.ts';
import { TARGET_THRESHOLDS } from '../sla/sla-event-kind.ts';
import { LIVE_ENGAGEMENT } from '../vendors/engagement.ts';
import { DashboardPolicy, type DashboardView } from './dashboard-policy.ts';
import type { DashboardFilters, DashboardOverview, DashboardSlaRules, LinkRefusal } from './ports.ts';

/** A login link is valid this long, once. */
export const LINK_TTL_MS = 10 * 60_000;
/** A browser session lasts this long from sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
/** How many rows each list of the overview shows. */
export const LIST_LIMIT = 20;
const DECISIONS_DAYS = 30;
/** Where the page lives, under the public base URL. */
export const DASHBOARD_PATH = '/cruscotto';

/**
 * The SLA definitions of the morning digest: open tickets are those whose resolution clock
 * counts or is paused; a running target is at risk once its last quarter began (the 75 % and
 * 90 % warnings), breached once its breach is due.
 */
const AT_RISK_SHARE = 0.25;
export const DASHBOARD_SLA: DashboardSlaRules = {
  statuses: TICKET_STATUSES.filter((s) => ['counting', 'paused'].includes(SlaClock.resolutionPhase(s))),
  counting: TICKET_STATUSES.filter((s) => SlaClock.resolutionPhase(s) === 'counting'),
  riskKinds: TARGET_THRESHOLDS.filter((x) => x.share >= 1 - AT_RISK_SHARE).map((x) => x.kind),
};

/** The login link's address: the public base URL when known, else a path on this server. */
export function loginUrl(publicUrl: string | undefined, token: string): string {
  return `${(publicUrl ?? '').replace(/\/+$/, '')}${DASHBOARD_PATH}/entra?t=${encodeURIComponent(token)}`;
}

/** A new one-time link for the actor, refused (`forbidden`) when the dashboard is not for them. */
export async function requestDashboardLink(ctx: UseCaseContext): Promise<{ readonly token: string; readonly expiresAt: Date }> {
  DashboardPolicy.assertView(ctx.actor);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  return { token: await ctx.repos.dashboard.createLink(ctx.actor.personId, now, expiresAt), expiresAt };
}

export type SignIn =
  | { readonly ok: true; readonly personId: string; readonly sessionToken: string; readonly expiresAt: Date }
  | { readonly ok: false; readonly refused: LinkRefusal };

/**
 * Uses a login link and opens a session, in one transaction: a link opens one session only,
 * however many times (or from however many places) it is presented.
 */
export async function signIn(store: Store, clock: Clock, linkToken: string): Promise<SignIn> {
  return store.transaction(async (repos) => {
    const now = clock.now();
    const used = await repos.dashboard.consumeLink(linkToken, now);
    if ('refused' in used) return { ok: false, refused: used.refused };
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    const sessionToken = await repos.dashboard.openSession(used.personId, now, expiresAt);
    return { ok: true, personId: used.personId, sessionToken, expiresAt };
  });
}

/** Who holds a session: the person, their actor with today's roles, and what they may see (undefined: no longer allowed). */
export interface DashboardViewer {
  readonly person: Person;
  readonly actor: Actor;
  readonly view: DashboardView | undefined;
  readonly expiresAt: Date;
}

/** The viewer behind a session token; undefined when the session is unknown, expired or ended. */
export async function dashboardViewer(repos: Repositories, clock: Clock, sessionToken: string): Promise<DashboardViewer | undefined> {
  const session = await repos.dashboard.findSession(sessionToken, clock.now());
  if (!session) return undefined;
  const person = await repos.people.findPerson(session.personId);
  if (!person) return undefined;
  const actor = await actorForPerson(repos, person);
  return { person, actor, view: DashboardPolicy.view(actor), expiresAt: session.expiresAt };
}

/** Signs out: the session ends for good. */
export async function signOut(repos: Repositories, clock: Clock, sessionToken: string): Promise<boolean> {
  return repos.dashboard.revokeSession(sessionToken, clock.now());
}

/**
 * The overview for a view: scoped (an organisation outside it is `forbidden`), computed in SQL,
 * then stripped to what the view may see. The organisations offered as filters are the view's.
 */
export async function loadOverview(
  repos: Repositories,
  clock: Clock,
  view: DashboardView,
  filters: DashboardFilters,
): Promise<DashboardOverview> {
  const scope = DashboardPolicy.scope(view, filters);
  const now = clock.now();
  const figures = await repos.dashboard.overview({
    scope,
    filters,
    sla: DASHBOARD_SLA,
    now,
    liveEngagements: LIVE_ENGAGEMENT,
    limit: LIST_LIMIT,
    decisionsSince: new Date(now.getTime() - DECISIONS_DAYS * 24 * 60 * 60_000),
  });
  const all = view.kind === 'aggregate' ? [] : await repos.people.listOrganisations();
  const organisations = (view.kind === 'organisations' ? all.filter((o) => view.organisationIds.includes(o.id)) : all).map((o) => ({
    id: o.id,
    name: o.name,
  }));
  return DashboardPolicy.strip(view, { ...figures, organisations });
}
