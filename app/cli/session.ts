import { Actor } from '../../core/kernel/actor.ts';
import type { UseCaseContext } from '../../core/kernel/context.ts';
import { DomainError } from '../../core/kernel/errors.ts';
import type { Locale } from '../../core/kernel/i18n.ts';
import { Notifier } from '../../core/kernel/notifier.ts';
import type { Clock, Repositories } from '../../core/kernel/ports.ts';
import { actorForPerson } from '../../core/people/resolve-actor.ts';
import type { Config } from '../config.ts';
import type { DatabaseRuntime } from '../database-runtime.ts';

/** What a CLI command runs with. */
export interface CliSession {
  readonly config: Config;
  readonly locale: Locale;
  readonly clock: Clock;
  readonly runtime: DatabaseRuntime;
  /**
   * Runs `work` in one transaction as the system actor, or as the person with handle `asHandle`
   * (whose roles then decide what is allowed); the notices it queued are flushed to the outbox
   * before the commit.
   */
  run<T>(asHandle: string | undefined, work: (ctx: UseCaseContext) => Promise<T>): Promise<T>;
}

export function createSession(config: Config, runtime: DatabaseRuntime, clock: Clock): CliSession {
  const locale = config.defaultLocale;
  return {
    config,
    locale,
    clock,
    runtime,
    run: (asHandle, work) =>
      runtime.store.transaction(async (repos) => {
        const actor = asHandle === undefined ? Actor.system() : await actorForPerson(repos, await personByHandle(repos, asHandle));
        const notifier = new Notifier(repos, locale);
        const result = await work({ repos, clock, actor, notifier, defaultLocale: locale });
        await notifier.flush(clock.now());
        return result;
      }),
  };
}

/** The person with `handle` (a leading @ and case ignored), or `person_not_found`. */
export async function personByHandle(repos: Repositories, handle: string) {
  const person = await repos.people.findPersonByHandle(handle.trim().replace(/^@/, '').toLowerCase());
  if (!person) throw new DomainError('person_not_found', { handle });
  return person;
}

/** The organisation with `fiscalCode`, or `organisation_not_found`. */
export async function organisationByFiscalCode(repos: Repositories, fiscalCode: string) {
  const org = await repos.people.findOrganisationByFiscalCode(fiscalCode.trim().toUpperCase());
  if (!org) throw new DomainError('organisation_not_found', { code: fiscalCode });
  return org;
}
