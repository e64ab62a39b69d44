import type { Locale } from '../i18n/translate.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { Actor } from '../people/actor.ts';
import type { Clock, Repositories } from '../ports.ts';

/** What every use case runs with: one transaction's repositories, the clock, who acts. */
export interface UseCaseContext {
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly actor: Actor;
  readonly notifier: Notifier;
  readonly defaultLocale: Locale;
}
