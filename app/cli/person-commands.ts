import { LOCALES } from '../../core/kernel/i18n.ts';
import { createPerson } from '../../core/people/register.ts';
import { optional, optionalChoice, required } from './arguments.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';
import { listPeople } from './people-query.ts';
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
