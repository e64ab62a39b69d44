/**
 * Every feature of Sportello, in the order `aiuto` and the command menus list them. The
 * composition root hands this registry to the engine and the adapters; a new feature adds
 * itself here and nowhere else outside its folder.
 */
import { alertsFeature } from './alerts/alert-commands.ts';
import { changesFeature } from './changes/change-commands.ts';
import { cmdbFeature } from './cmdb/cmdb-commands.ts';
import { communityFeature } from './community/community-commands.ts';
import { conversationFeature } from './conversation/conversation-commands.ts';
import { dashboardFeature } from './dashboard/dashboard-commands.ts';
import { escalationFeature } from './escalation/escalation-actions.ts';
import { CommandRegistry, type Feature } from './kernel/command.ts';
import { peopleFeature } from './people/people-commands.ts';
import { privacyFeature } from './privacy/privacy-commands.ts';
import { problemsFeature } from './problems/problem-commands.ts';
import { reportsFeature } from './reports/report-commands.ts';
import { slaFeature } from './sla/sla-command.ts';
import { ticketsFeature } from './tickets/ticket-commands.ts';
import { vendorsFeature } from './vendors/vendor-actions.ts';

export const FEATURES: readonly Feature[] = [
  ticketsFeature,
  communityFeature,
  conversationFeature,
  slaFeature,
  alertsFeature,
  cmdbFeature,
  changesFeature,
  problemsFeature,
  dashboardFeature,
  reportsFeature,
  vendorsFeature,
  escalationFeature,
  peopleFeature,
  privacyFeature,
];

export const REGISTRY = new CommandRegistry(FEATURES);
