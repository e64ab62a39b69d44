import type { Actor } from './actor.ts';
import type { Locale } from './i18n.ts';
import type { Notifier } from './notifier.ts';
import type { Clock, Repositories } from './ports.ts';

/** What every use case runs with: one transaction's repositories, the clock, who acts. */
export interface UseCaseContext {
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly actor: Actor;
  readonly notifier: Notifier;
  readonly defaultLocale: Locale;
}
