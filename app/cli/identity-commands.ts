import { PLATFORMS } from '../../core/kernel/person.ts';
import { required, requiredChoice } from './arguments.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';
import { personByHandle } from './session.ts';

export const identityLink = defineCommand({
  name: 'identity link',
  synopsis: `--person HANDLE --platform ${PLATFORMS.join('|')} --external-id ID`,
  summary: 'link a platform account to a person (moves it if linked to someone else)',
  options: { person: { type: 'string' }, platform: { type: 'string' }, 'external-id': { type: 'string' } },
  parse: (args) => ({
    handle: required(args, 'person'),
    platform: requiredChoice(args, 'platform', PLATFORMS),
    externalId: required(args, 'external-id').trim(),
  }),
  async run(session, input) {
    const identity = await session.run(undefined, async (ctx) => {
      const person = await personByHandle(ctx.repos, input.handle);
      const linked = { platform: input.platform, externalId: input.externalId, personId: person.id, lastSeenAt: ctx.clock.now() };
      await ctx.repos.people.linkIdentity(linked);
      return { ...linked, handle: person.handle };
    });
    return {
      json: identity,
      text: cliText(session.locale, 'identity.linked', { platform: identity.platform, id: identity.externalId, handle: identity.handle }),
    };
  },
});
