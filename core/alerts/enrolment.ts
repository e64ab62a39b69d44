/**
 * Enrolment: a moderator or the organisation's ICT lead asks for a one-time code in chat; the
 * agent presents it once and receives its own id and signing secret. The agent acts as a person
 * of its own ("Agente <hostname>"), enrolled as a requester of the organisation with the grant
 * recorded like any other (who enrolled it, when), so the incidents it opens follow the same
 * policy as everyone's.
 */

import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Organisation } from '../kernel/person.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import { newCode } from '../people/one-time-codes.ts';
import { createPerson } from '../people/register.ts';
import { t } from './messages.ts';
import { type ConfigurationItem, ConfigurationItemRef, type MonitoredAgent } from './model.ts';
import type { WireEnrolRequest } from './protocol.ts';

/** An enrolment code lives a day: long enough to reach the machine, short enough not to linger. */
export const ENROL_CODE_TTL_MS = 24 * 60 * 60 * 1000;

/** Heartbeat promise assumed until the agent's first report says otherwise. */
export const DEFAULT_HEARTBEAT = { periodSeconds: 60, graceSeconds: 120 } as const;

/** Whether the actor may manage the monitoring of `organisationId` (enrol agents, silence it). */
export function canManageMonitoring(actor: Actor, organisationId: string): boolean {
  return Actor.isStaff(actor) || actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === organisationId);
}

/** Organisations the actor is ICT lead of. */
export function ledOrganisations(actor: Actor): string[] {
  return actor.roles.filter((r) => r.role === 'ict_lead' && r.organisationId).map((r) => r.organisationId as string);
}

/**
 * A one-time enrolment code for an organisation (named by its fiscal code, or by id for an ICT
 * lead's own). Moderators, the committee and the organisation's ICT lead only.
 */
export async function createEnrolmentCode(
  ctx: UseCaseContext,
  which: { readonly fiscalCode: string } | { readonly organisationId: string },
): Promise<{ code: string; organisation: Organisation; expiresAt: Date }> {
  const organisation =
    'fiscalCode' in which
      ? await ctx.repos.people.findOrganisationByFiscalCode(which.fiscalCode.trim().toUpperCase())
      : await ctx.repos.people.findOrganisation(which.organisationId);
  if (!organisation) throw new DomainError('organisation_not_found', { code: 'fiscalCode' in which ? which.fiscalCode.slice(0, 20) : '?' });
  if (!canManageMonitoring(ctx.actor, organisation.id)) throw new DomainError('forbidden');
  const code = newCode();
  const expiresAt = new Date(ctx.clock.now().getTime() + ENROL_CODE_TTL_MS);
  await ctx.repos.linkCodes.create(code, { kind: 'enrol', organisationId: organisation.id, createdBy: ctx.actor.personId }, expiresAt);
  return { code, organisation, expiresAt };
}

/** 32 random bytes, base64url: the agent's HMAC key. */
export function newSecret(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Buffer.from(random(32)).toString('base64url');
}

export interface EnrolDeps {
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

/**
 * Consumes the code (once, and only an enrolment code) and registers the agent: its person,
 * the requester grant, its secret and its configuration item. The one who made the code is told.
 */
export async function enrolAgent(
  deps: EnrolDeps,
  req: WireEnrolRequest,
): Promise<{ agent: MonitoredAgent; item: ConfigurationItem; organisation: Organisation; secret: string }> {
  const { repos, clock } = deps;
  const now = clock.now();
  const purpose = await repos.linkCodes.consume(req.code.trim().toUpperCase(), now, ['enrol']);
  if (!purpose || purpose.kind !== 'enrol') throw new DomainError('invalid_code');
  const organisation = await repos.people.findOrganisation(purpose.organisationId);
  if (!organisation) throw new DomainError('invalid_code');

  // Codes made by the CLI or a job carry the system actor, which is nobody in the people table.
  const enrolledBy = purpose.createdBy === Actor.system().personId ? null : purpose.createdBy;
  const hostname = req.hostname.trim().slice(0, 100) || 'agente';
  const person = await createPerson(repos, clock, { displayName: `Agente ${hostname}`, locale: deps.defaultLocale });
  await repos.people.grantRole({
    personId: person.id,
    role: 'requester',
    organisationId: organisation.id,
    grantedBy: enrolledBy,
    grantedAt: now,
    reason: 'agente di monitoraggio',
  });
  const secret = newSecret();
  const heartbeat = req.heartbeat ?? DEFAULT_HEARTBEAT;
  const agent = await repos.monitoring.createAgent({
    organisationId: organisation.id,
    personId: person.id,
    name: hostname,
    secret,
    heartbeatSeconds: heartbeat.periodSeconds,
    graceSeconds: heartbeat.graceSeconds,
    enrolledAt: now,
    enrolledBy,
  });
  const item = await repos.monitoring.upsertConfigurationItem(agent.id, organisation.id, hostname, req.facts ?? null, now);

  if (enrolledBy) {
    const notifier = new Notifier(repos, deps.defaultLocale);
    await notifier.toPerson(enrolledBy, (l) => ({
      text: t(l, 'agent.enrolled', { name: hostname, ci: ConfigurationItemRef.format(item.number), org: organisation.name }),
    }));
    await notifier.flush(now);
  }
  return { agent, item, organisation, secret };
}
