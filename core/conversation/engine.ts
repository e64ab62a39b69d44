import { type CommandRegistry, type CommandSpec, fitsGrammar, looksLikeCommand, type ParsedCommand } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { Inbound } from '../kernel/message.ts';
import { describeError } from '../kernel/messages.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Repositories, Store, Written } from '../kernel/ports.ts';
import { Turn } from '../kernel/turn.ts';
import { resolveActor } from '../people/resolve-actor.ts';
import { announceTicket } from '../tickets/ticket-notices.ts';
import { handleFreeText } from './free-text.ts';
import { t } from './messages.ts';

export interface EngineOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  /** The commands, buttons and dialogs of every feature (`REGISTRY` in core/features.ts). */
  readonly registry: CommandRegistry;
  /** How long an untouched dialog lives (default 2 hours). */
  readonly dialogTtlMs?: number;
  /** The externally reachable base URL, for links in answers (the dashboard's login link). */
  readonly publicUrl?: string;
  /**
   * Called after a handled event committed outbox rows or SLA events, with how many of each: the
   * app wakes only what waits for them (delivery, the SLA timer pump), at once.
   */
  readonly onWritten?: (written: Written) => void;
  /** After each event, how it ended and how long it took (for metrics). */
  readonly onHandled?: (inbound: Inbound, result: HandleResult, seconds: number) => void;
  /**
   * Tells failures worth retrying (the database restarting, a connection cut) from bugs. Those
   * are rethrown, so the adapter gets the event redelivered or retries it, instead of the user
   * getting an apology for a message that was then dropped.
   */
  readonly isTransient?: (err: unknown) => boolean;
  /** Unexpected (non-domain) failures, for the log; the user gets a generic apology. */
  readonly onError?: (err: unknown, inbound: Inbound) => void;
}

export type HandleResult = { readonly status: 'handled' | 'duplicate' | 'refused' | 'failed' };

/**
 * The conversation engine: one channel-neutral inbound event in, outbox rows out, in one
 * transaction. Every platform adapter and the web chat call `handle`; nothing here knows a
 * platform. A duplicate delivery id has no effect. A refusal (domain error) rolls the work back
 * and answers, in the user's language, in a second transaction.
 */
export class ConversationEngine {
  constructor(private readonly opts: EngineOptions) {}

  get dialogTtlMs(): number {
    return this.opts.dialogTtlMs ?? 2 * 60 * 60 * 1000;
  }

  async handle(inbound: Inbound): Promise<HandleResult> {
    const started = performance.now();
    let result: HandleResult;
    // Only the transaction that committed reports what it wrote (a refused one rolled back).
    let written: Written | undefined;
    const report = { onCommit: (w: Written) => (written = w) };
    try {
      result = await this.opts.store.transaction((repos) => this.run(repos, inbound, 'work'), report);
    } catch (err) {
      const refusal = DomainError.is(err) ? err : undefined;
      if (!refusal && this.opts.isTransient?.(err)) throw err;
      if (!refusal) this.opts.onError?.(err, inbound);
      result = await this.opts.store.transaction((repos) => this.run(repos, inbound, refusal ?? 'failure'), report);
    }
    const w = written as Written | undefined;
    if (w && (w.outbox > 0 || w.slaEvents > 0)) this.opts.onWritten?.(w);
    this.opts.onHandled?.(inbound, result, (performance.now() - started) / 1000);
    return result;
  }

  private async run(repos: Repositories, inbound: Inbound, mode: 'work' | DomainError | 'failure'): Promise<HandleResult> {
    const now = this.opts.clock.now();
    // One statement marks the delivery seen, locks the conversation's dialog (so the events of
    // one conversation run one after the other) and reads the sender and the dialog.
    const opened = await repos.turns.open({
      platform: inbound.platform,
      deliveryId: inbound.deliveryId,
      externalId: inbound.sender.externalId,
      dialogKey: Turn.dialogKeyOf(inbound),
      at: now,
    });
    if (!opened) return { status: 'duplicate' };
    const { actor, person } = await resolveActor(
      repos,
      this.opts.clock,
      { platform: inbound.platform, ...inbound.sender },
      this.opts.defaultLocale,
      opened,
    );
    const notifier = new Notifier(repos, this.opts.defaultLocale);
    const ctx = { repos, clock: this.opts.clock, actor, notifier, defaultLocale: this.opts.defaultLocale };
    const turn = new Turn(ctx, inbound, person, this.dialogTtlMs, this.opts.publicUrl);

    if (mode === 'work') {
      await this.route(turn);
    } else if (mode === 'failure') {
      turn.say(t(turn.locale, 'error.internal'));
    } else {
      turn.say(describeError(turn.locale, mode));
      await dropTrappingDialog(turn, this.opts.registry);
      await refreshAfterRefusal(turn, mode);
    }
    await notifier.flush(now);
    return { status: mode === 'work' ? 'handled' : mode === 'failure' ? 'failed' : 'refused' };
  }

  private async route(turn: Turn): Promise<void> {
    const { inbound } = turn;
    if (inbound.action) {
      const action = this.opts.registry.action(inbound.action.id);
      if (!action) throw new DomainError('invalid_input', { field: 'action', max: 0 });
      return action.handle(turn, inbound.action);
    }
    const text = inbound.text?.trim() ?? '';
    if (!text) return;
    const parsed = this.opts.registry.parse(text);
    if (parsed && (await this.meantAsCommand(turn, parsed.spec, parsed.command, text)))
      return parsed.spec.handle(turn, parsed.command, this.opts.registry);
    return handleFreeText(turn, text, this.opts.registry);
  }

  /**
   * While a dialog waits for an answer, only `annulla`/`cancel` or a `/`- or `!`-prefixed
   * command interrupts it: a title such as "Stato della rete pessimo" is an answer. In a channel
   * a command word is a command, unless the open dialog captures commands there (the reason a
   * committee member types after a button may well begin with "fornitore"). Otherwise, in a
   * conversation with the bot, a command word counts when its words fit the command's grammar.
   */
  private async meantAsCommand(turn: Turn, spec: CommandSpec, command: ParsedCommand, text: string): Promise<boolean> {
    if (looksLikeCommand(text) || (command.name === 'cancel' && command.args.length === 0)) return true;
    const state = await turn.ctx.repos.dialogs.get(turn.dialogKey, turn.ctx.clock.now());
    const dialog = state === undefined ? undefined : this.opts.registry.dialog(state);
    if (!turn.inDm) return !dialog?.capturesCommandsInChannels;
    if (dialog) return false;
    return fitsGrammar(spec, command, text);
  }
}

/** A button on a stale card (claimed meanwhile, closed…): answer, then redraw the card. */
async function refreshAfterRefusal(turn: Turn, err: DomainError): Promise<void> {
  const ref = typeof err.params.ref === 'string' ? err.params.ref : undefined;
  // not_found redraws nothing: a card appearing would reveal that the id exists.
  if (!ref || !turn.inbound.action || turn.inDm || err.code === 'not_found') return;
  const ticket = await turn.ctx.repos.tickets.findByRef(ref);
  if (!ticket) return;
  await announceTicket(turn.ctx, ticket);
}

/**
 * A refused note (the ticket moved meanwhile), or the refused answer of another one-answer dialog
 * (`dropOnRefusal`), must not leave the person stuck in the dialog, where everything they type
 * would be refused again.
 */
async function dropTrappingDialog(turn: Turn, registry: CommandRegistry): Promise<void> {
  if (!turn.inbound.text) return;
  const dialog = await turn.ctx.repos.dialogs.get(turn.dialogKey, turn.ctx.clock.now());
  const note = typeof dialog === 'object' && dialog !== null && (dialog as { flow?: unknown }).flow === 'note';
  if (note || (dialog !== undefined && registry.dialog(dialog)?.dropOnRefusal)) await turn.ctx.repos.dialogs.delete(turn.dialogKey);
}
