import type { Turn } from './turn.ts';

/**
 * A person named in a command: `@handle`, or a platform mention (`<@U123>` on Slack and
 * Discord) mapped through the sender's platform identities to the person's handle.
 */
export async function personArg(turn: Turn, arg: string): Promise<string> {
  const m = /^<@!?([\w.-]+)(?:\|[^>]*)?>$/.exec(arg);
  if (!m?.[1]) return arg;
  const identity = await turn.ctx.repos.people.findIdentity(turn.inbound.platform, m[1]);
  const person = identity ? await turn.ctx.repos.people.findPerson(identity.personId) : undefined;
  return person?.handle ?? arg;
}
