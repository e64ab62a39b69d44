import { LOCALES } from '../../core/kernel/i18n.ts';
import { createPerson } from '../../core/people/register.ts';
import { erasePersonData, exportPersonData } from '../../core/privacy/privacy.ts';
import { optional, optionalChoice, required } from './arguments.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';
import { listPeople } from './people-query.ts';
import { personByHandle } from './session.ts';
import { formatTable } from './table.ts';

export const personAdd = defineCommand({
  name: 'person add',
  synopsis: '--name N [--handle H] [--email E] [--phone P] [--locale it|en]',
  summary: 'register a person (the handle is derived from the name unless given)',
  options: {
    name: { type: 'string' },
    handle: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    locale: { type: 'string' },
  },
  parse: (args) => ({
    displayName: required(args, 'name'),
    handle: optional(args, 'handle'),
    email: optional(args, 'email') ?? null,
    phone: optional(args, 'phone') ?? null,
    locale: optionalChoice(args, 'locale', LOCALES),
  }),
  async run(session, input) {
    const person = await session.run(undefined, (ctx) =>
      createPerson(ctx.repos, ctx.clock, {
        displayName: input.displayName,
        ...(input.handle !== undefined ? { handle: input.handle } : {}),
        email: input.email,
        phone: input.phone,
        locale: input.locale ?? session.locale,
      }),
    );
    return { json: person, text: cliText(session.locale, 'person.created', { name: person.displayName, handle: person.handle }) };
  },
});

export const personList = defineCommand({
  name: 'person list',
  synopsis: '',
  summary: 'list people with their active roles and linked accounts',
  options: {},
  parse: () => ({}),
  async run(session) {
    const people = await listPeople(session.runtime.db);
    const text = people.length
      ? formatTable(
          people.map((p) => [
            `@${p.handle}`,
            p.displayName,
            p.roles.map((r) => (r.organisation ? `${r.role}:${r.organisation}` : r.role)).join(',') || '—',
            p.identities.map((i) => `${i.platform}:${i.externalId}`).join(',') || '—',
          ]),
        )
      : cliText(session.locale, 'person.none');
    return { json: people, text };
  },
});

export const personExport = defineCommand({
  name: 'person export',
  synopsis: 'HANDLE [--reason TEXT]',
  summary: 'everything held about a person, as JSON (GDPR access request); recorded',
  options: { reason: { type: 'string' } },
  positionals: ['HANDLE'],
  parse: (args) => ({ handle: args.positionals[0] ?? '', reason: optional(args, 'reason') ?? 'sportello person export' }),
  async run(session, input) {
    const data = await session.run(undefined, async (ctx) =>
      exportPersonData(ctx, await personByHandle(ctx.repos, input.handle), { channel: 'cli', reason: input.reason }),
    );
    return { json: data, text: JSON.stringify(data, null, 2) };
  },
});

export const personErase = defineCommand({
  name: 'person erase',
  synopsis: 'HANDLE --reason TEXT',
  summary: 'erase a person (GDPR): name, contacts, accounts and texts removed, histories kept; recorded',
  options: { reason: { type: 'string' } },
  positionals: ['HANDLE'],
  parse: (args) => ({ handle: args.positionals[0] ?? '', reason: required(args, 'reason') }),
  async run(session, input) {
    const result = await session.run(undefined, async (ctx) =>
      erasePersonData(ctx, await personByHandle(ctx.repos, input.handle), input.reason),
    );
    const rows = Object.values(result.counts).reduce((a, b) => a + b, 0);
    const json = {
      handle: result.pseudonym.handle,
      displayName: result.pseudonym.displayName,
      alreadyErased: result.alreadyErased,
      counts: result.counts,
    };
    const text = result.alreadyErased
      ? cliText(session.locale, 'person.erased_again', { handle: json.handle, rows })
      : cliText(session.locale, 'person.erased', { name: json.displayName, handle: json.handle, rows });
    return { json, text };
  },
});
