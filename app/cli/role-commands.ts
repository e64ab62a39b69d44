import { ROLES } from '../../core/kernel/person.ts';
import { grantRole, revokeRole } from '../../core/people/manage-roles.ts';
import { optional, required, requiredChoice } from './arguments.ts';
import { defineCommand, type ParsedArgs } from './command.ts';
import { cliText } from './messages.ts';
import { organisationByFiscalCode, personByHandle } from './session.ts';

const roleOptions = {
  person: { type: 'string' },
  role: { type: 'string' },
  org: { type: 'string' },
  reason: { type: 'string' },
} as const;

const parseRole = (args: ParsedArgs, reasonRequired: boolean) => ({
  handle: required(args, 'person'),
  role: requiredChoice(args, 'role', ROLES),
  fiscalCode: optional(args, 'org'),
  reason: reasonRequired ? required(args, 'reason') : (optional(args, 'reason') ?? ''),
});

export const roleGrant = defineCommand({
  name: 'role grant',
  synopsis: `--person HANDLE --role ${ROLES.join('|')} [--org FISCALCODE] [--reason TEXT]`,
  summary: 'grant a role (requester and ict_lead need --org)',
  options: roleOptions,
  parse: (args) => parseRole(args, false),
  async run(session, input) {
    const grant = await session.run(undefined, async (ctx) => {
      const organisationId = input.fiscalCode ? (await organisationByFiscalCode(ctx.repos, input.fiscalCode)).id : null;
      return grantRole(ctx, { handle: input.handle, role: input.role, organisationId, reason: input.reason });
    });
    const handle = input.handle.replace(/^@/, '').toLowerCase();
    return { json: grant, text: cliText(session.locale, 'role.granted', { role: input.role, handle }) };
  },
});

export const roleRevoke = defineCommand({
  name: 'role revoke',
  synopsis: `--person HANDLE --role ${ROLES.join('|')} [--org FISCALCODE] --reason TEXT`,
  summary: 'revoke a role, saying why',
  options: roleOptions,
  parse: (args) => parseRole(args, true),
  async run(session, input) {
    const result = await session.run(undefined, async (ctx) => {
      const organisationId = input.fiscalCode ? (await organisationByFiscalCode(ctx.repos, input.fiscalCode)).id : null;
      const person = await personByHandle(ctx.repos, input.handle);
      const revoked = await revokeRole(ctx, { handle: person.handle, role: input.role, organisationId, reason: input.reason });
      return { handle: person.handle, role: input.role, organisationId, revoked, reason: input.reason.trim() };
    });
    return { json: result, text: cliText(session.locale, 'role.revoked', { role: input.role, handle: result.handle }) };
  },
});
