import { migrate, seedDemoCommand } from './admin-commands.ts';
import { agentRevoke } from './agent-commands.ts';
import { changeList, changeShow } from './change-commands.ts';
import { ciAdd, ciLink, ciList, ciShow, ciUnlink } from './ci-commands.ts';
import type { Command } from './command.ts';
import { communityDeflection, communitySearch, kbList, kbShow } from './community-commands.ts';
import { identityLink } from './identity-commands.ts';
import { orgAdd, orgList } from './org-commands.ts';
import { personAdd, personErase, personExport, personList } from './person-commands.ts';
import { problemList, problemShow } from './problem-commands.ts';
import { reportCommand } from './report-commands.ts';
import { roleGrant, roleRevoke } from './role-commands.ts';
import { slaCalendar } from './sla-commands.ts';
import { ticketCreate, ticketList, ticketShow } from './ticket-commands.ts';
import { catalogueSearch, vendorAdd, vendorCertify, vendorList, vendorRevoke, vendorShow } from './vendor-commands.ts';

/** Every command but `help`, in the order the usage lists them. */
export const COMMANDS: readonly Command[] = [
  migrate,
  orgAdd,
  orgList,
  personAdd,
  personList,
  personExport,
  personErase,
  identityLink,
  roleGrant,
  roleRevoke,
  ticketCreate,
  ticketList,
  ticketShow,
  changeList,
  changeShow,
  problemList,
  problemShow,
  communitySearch,
  communityDeflection,
  kbList,
  kbShow,
  vendorAdd,
  vendorList,
  vendorShow,
  vendorCertify,
  vendorRevoke,
  catalogueSearch,
  slaCalendar,
  reportCommand,
  agentRevoke,
  ciList,
  ciShow,
  ciAdd,
  ciLink,
  ciUnlink,
  seedDemoCommand,
];
