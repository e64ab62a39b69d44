import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { DashboardFilters, DashboardOverview, DashboardScope } from './ports.ts';

/**
 * What a person sees on the dashboard, from their current roles:
 * - `all`: volunteers, moderators and the committee see every organisation (as they see every
 *   ticket in chat); the committee's ledger (`decisions`) only for moderators and the committee,
 *   who read it in chat too — others get its counts;
 * - `organisations`: an ICT lead sees only their own organisations;
 * - `aggregate`: an observer sees counts only — no organisation, no ticket id, no title.
 */
export type DashboardView =
  | { readonly kind: 'all'; readonly decisions: boolean }
  | { readonly kind: 'organisations'; readonly organisationIds: readonly string[] }
  | { readonly kind: 'aggregate' };

export const DashboardPolicy = {
  /** The person's view, or undefined when the dashboard is not for them (a plain requester, a vendor). */
  view(actor: Actor): DashboardView | undefined {
    if (Actor.isStaff(actor) || Actor.has(actor, 'volunteer')) return { kind: 'all', decisions: Actor.isStaff(actor) };
    const led = [...new Set(actor.roles.filter((r) => r.role === 'ict_lead' && r.organisationId).map((r) => r.organisationId as string))];
    if (led.length > 0) return { kind: 'organisations', organisationIds: led };
    if (Actor.has(actor, 'observer')) return { kind: 'aggregate' };
    return undefined;
  },

  assertView(actor: Actor): DashboardView {
    const view = DashboardPolicy.view(actor);
    if (!view) throw new DomainError('forbidden');
    return view;
  },

  /**
   * The organisations the overview is computed over. Filtering on an organisation outside the
   * view is refused (`forbidden`), not silently widened or emptied; an observer does not filter
   * by organisation at all (the figures of one named organisation are not aggregates).
   */
  scope(view: DashboardView, filters: DashboardFilters): DashboardScope {
    const org = filters.organisationId;
    switch (view.kind) {
      case 'all':
        return org ? { all: false, organisationIds: [org] } : { all: true };
      case 'organisations':
        if (org && !view.organisationIds.includes(org)) throw new DomainError('forbidden');
        return { all: false, organisationIds: org ? [org] : view.organisationIds };
      case 'aggregate':
        if (org) throw new DomainError('forbidden');
        return { all: true };
    }
  },

  /** The overview as the view may see it: an observer keeps the counts and loses every list and name. */
  strip(view: DashboardView, o: DashboardOverview): DashboardOverview {
    if (view.kind === 'aggregate')
      return {
        generatedAt: o.generatedAt,
        organisations: [],
        alerts: { open: o.alerts.open, bySeverity: o.alerts.bySeverity, byOrganisation: [], latest: [] },
        agents: { total: o.agents.total, offline: o.agents.offline, offlineList: [] },
        tickets: {
          open: o.tickets.open,
          atRisk: o.tickets.atRisk,
          breached: o.tickets.breached,
          byPriority: o.tickets.byPriority,
          urgent: [],
        },
        queue: { count: o.queue.count, oldestSince: o.queue.oldestSince, items: [] },
        engagements: { live: o.engagements.live, byStatus: o.engagements.byStatus, items: [] },
        decisions: { count: o.decisions.count, byDecision: o.decisions.byDecision, recent: [] },
      };
    if (view.kind === 'all' && view.decisions) return o;
    return { ...o, decisions: { ...o.decisions, recent: [] } };
  },
};
