import { createOrganisation } from '../../core/people/register.ts';
import { optional, required } from './arguments.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';
import { formatTable } from './table.ts';

export const orgAdd = defineCommand({
  name: 'org add',
  synopsis: '--name N --fiscal-code C [--runts R]',
  summary: 'register a nonprofit',
  options: { name: { type: 'string' }, 'fiscal-code': { type: 'string' }, runts: { type: 'string' } },
  parse: (args) => ({
    name: required(args, 'name'),
    fiscalCode: required(args, 'fiscal-code'),
    runtsNumber: optional(args, 'runts') ?? null,
  }),
  async run(session, input) {
    const org = await session.run(undefined, (ctx) => createOrganisation(ctx.repos, ctx.clock, input));
    return { json: org, text: cliText(session.locale, 'org.created', { name: org.name, code: org.fiscalCode }) };
  },
});

export const orgList = defineCommand({
  name: 'org list',
  synopsis: '',
  summary: 'list the nonprofits',
  options: {},
  parse: () => ({}),
  async run(session) {
    const orgs = await session.run(undefined, (ctx) => ctx.repos.people.listOrganisations());
    const text = orgs.length
      ? formatTable(orgs.map((o) => [o.fiscalCode, o.runtsNumber ?? '—', o.name]))
      : cliText(session.locale, 'org.none');
    return { json: orgs, text };
  },
});
