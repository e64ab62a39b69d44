/**
 * Every migration, by name (applied in name order). A static list rather than a folder scan, so
 * it works the same under tsx, in a bundle and from the CLI.
 */
import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';
import * as webMessages from './0002-web-messages.ts';
import * as sla from './0003-sla.ts';
import * as monitoring from './0004-monitoring.ts';
import * as uniqueActiveGrants from './0005-unique-active-grants.ts';
import * as agentRevocation from './0006-agent-revocation.ts';
import * as deliveryContext from './0007-delivery-context.ts';
import * as community from './0008-community.ts';
import * as vendors from './0009-vendors.ts';
import * as itil from './0010-itil.ts';
import * as dashboard from './0014-dashboard.ts';
import * as reports from './0015-reports.ts';
import * as problemScan from './0016-problem-scan.ts';
import * as webClientIds from './0017-web-client-ids.ts';
import * as privacy from './0018-privacy.ts';
import * as outboxFate from './0019-outbox-fate.ts';
import * as outboxFailures from './0020-outbox-failures.ts';
import * as inboundInbox from './0021-inbound-inbox.ts';
import * as configVersion from './0022-config-version.ts';
import * as slaDueIndex from './0023-sla-due-index.ts';
import * as outboxPendingDue from './0025-outbox-pending-due.ts';
import * as slaTicketKey from './0026-sla-ticket-key.ts';

/** Migrations keyed by name; append new ones, never rename or edit applied ones. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-web-messages': webMessages,
  '0003-sla': sla,
  '0004-monitoring': monitoring,
  '0005-unique-active-grants': uniqueActiveGrants,
  '0006-agent-revocation': agentRevocation,
  '0007-delivery-context': deliveryContext,
  '0008-community': community,
  '0009-vendors': vendors,
  '0010-itil': itil,
  '0014-dashboard': dashboard,
  '0015-reports': reports,
  '0016-problem-scan': problemScan,
  '0017-web-client-ids': webClientIds,
  '0018-privacy': privacy,
  '0019-outbox-fate': outboxFate,
  '0020-outbox-failures': outboxFailures,
  '0021-inbound-inbox': inboundInbox,
  '0022-config-version': configVersion,
  '0023-sla-due-index': slaDueIndex,
  '0025-outbox-pending-due': outboxPendingDue,
  '0026-sla-ticket-key': slaTicketKey,
};
