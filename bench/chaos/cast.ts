/**
 * Who takes part, and where: one organisation; on each platform its requesters and volunteers
 * (their identities linked, as `sportello` grants do), the volunteers' channel bound on all three
 * (so every card goes to all three, and a claim on one edits the others); a moderator on Slack
 * (SLA reports, escalation offers); the SLA batch's requester on Telegram; the alerts channel on
 * Slack; the monitoring agents enrolled; the SLA policies.
 */
import type { Platform, Role } from '../../core/kernel/person.ts';
import { createOrganisation, createPerson } from '../../core/people/register.ts';
import type { FakeUser } from '../../test/fakes/discord-fake.ts';
import { AgentFleet } from './agents-load.ts';
import type { ChatDriver, ChatUser } from './chat-driver.ts';
import { DiscordDriver } from './discord-driver.ts';
import type { ChaosOptions } from './run-chaos.ts';
import { SlaBatch } from './sla-load.ts';
import { SLACK_VOLUNTEERS, SlackDriver } from './slack-driver.ts';
import { TELEGRAM_GROUP, TelegramDriver } from './telegram-driver.ts';
import type { Topology } from './topology.ts';
import { Webhooks } from './webhooks.ts';

const ORGANISATION = { name: 'Associazione Caos ODV', fiscalCode: '97000000777' };
const SLACK_ALERTS = 'C_ALLERTE';
const SLACK_MODERATOR = { id: 'U_MOD0', name: 'Moderatrice Slack' };
const SLA_REQUESTER = { id: '530000', name: 'Richiedente SLA' };

const slackPeople = (prefix: string, n: number, label: string): ChatUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: `U_${prefix}${i}`, name: `${label} Slack ${i}` }));
const telegramPeople = (base: number, n: number, label: string): ChatUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(base + i), name: `${label} Telegram ${i}` }));

/** The Slack users the fake knows (`users.info`), before it starts. */
export function slackUsersOf(o: ChaosOptions): Record<string, { realName: string }> {
  const all = [
    ...slackPeople('R', o.requestersPerPlatform, 'Richiedente'),
    ...slackPeople('V', o.volunteersPerPlatform, 'Volontario'),
    SLACK_MODERATOR,
  ];
  return Object.fromEntries(all.map((u) => [u.id, { realName: u.name }]));
}

export interface Cast {
  readonly drivers: readonly ChatDriver<unknown>[];
  readonly discord: DiscordDriver;
  readonly sla: SlaBatch;
  readonly fleet: AgentFleet;
  /** How the load reaches the apps over HTTP: Telegram's webhook, Slack's events, the agents' reports. */
  readonly hooks: { readonly telegram: Webhooks; readonly slack: Webhooks; readonly agents: Webhooks };
}

export async function cast(t: Topology, o: ChaosOptions): Promise<Cast> {
  const { store, db } = t;
  const clock = { now: () => new Date() };
  const org = await store.transaction(async (repos) => (await createOrganisation(repos, clock, ORGANISATION)).id);
  const person = (platform: Platform, u: ChatUser, roles: Role[]) =>
    store.transaction(async (repos) => {
      const p = await createPerson(repos, clock, { displayName: u.name, locale: 'it', email: 'persona@example.org' });
      await repos.people.linkIdentity({ platform, externalId: u.id, personId: p.id, lastSeenAt: clock.now() });
      for (const role of roles)
        await repos.people.grantRole({
          personId: p.id,
          role,
          organisationId: role === 'requester' ? org : null,
          grantedBy: null,
          grantedAt: clock.now(),
          reason: 'chaos',
        });
    });

  const hooks = {
    telegram: new Webhooks(t.telegramUrls, o.stepMs),
    slack: new Webhooks(t.slackUrls, o.stepMs),
    agents: new Webhooks(t.appBases, o.stepMs),
  };
  const discordPeople = (n: number, label: string): FakeUser[] =>
    Array.from({ length: n }, (_, i) => t.discord.user(`${label} Discord ${i}`));
  const discordChannel = t.discord.textChannel('volontari');
  const discord = new DiscordDriver(t.discord, discordChannel, {
    requesters: discordPeople(o.requestersPerPlatform, 'Richiedente'),
    volunteers: discordPeople(o.volunteersPerPlatform, 'Volontario'),
  });
  const drivers = [
    new TelegramDriver(
      t.telegram,
      hooks.telegram,
      telegramPeople(510_000, o.requestersPerPlatform, 'Richiedente'),
      telegramPeople(520_000, o.volunteersPerPlatform, 'Volontario'),
    ),
    new SlackDriver(
      t.slack,
      hooks.slack,
      slackPeople('R', o.requestersPerPlatform, 'Richiedente'),
      slackPeople('V', o.volunteersPerPlatform, 'Volontario'),
    ),
    discord,
  ] as ChatDriver<unknown>[];
  for (const d of drivers) {
    for (const u of d.requesters) await person(d.platform, u, ['requester']);
    for (const u of d.volunteers) await person(d.platform, u, ['volunteer']);
  }
  await person('slack', SLACK_MODERATOR, ['moderator']);
  await person('telegram', SLA_REQUESTER, ['requester']);

  const bind = (purpose: 'volunteers' | 'alerts', platform: Platform, conversationId: string) =>
    store.channels.bind({ purpose, platform, conversationId, threadId: null, organisationId: null, boundBy: null, boundAt: clock.now() });
  await bind('volunteers', 'telegram', String(TELEGRAM_GROUP));
  await bind('volunteers', 'slack', SLACK_VOLUNTEERS);
  await bind('volunteers', 'discord', discordChannel);
  await bind('alerts', 'slack', SLACK_ALERTS);

  await SlaBatch.policies(store, o.slaResponseS);
  const sla = new SlaBatch(store, db, { platform: 'telegram', externalId: SLA_REQUESTER.id });
  const fleet = await AgentFleet.enrol(store, ORGANISATION.fiscalCode, o.agents, o.reportsPerAgent);
  return { drivers, discord, sla, fleet, hooks };
}
