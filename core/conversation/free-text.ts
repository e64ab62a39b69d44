import { offerSolutions, settleOffer } from '../community/deflection.ts';
import { Actor } from '../kernel/actor.ts';
import { type CommandRegistry, looksLikeCommand } from '../kernel/command.ts';
import type { Turn } from '../kernel/turn.ts';
import { deviceChoices, matchTypedDevice } from './device-items.ts';
import { submitIntake } from './dialog-handlers.ts';
import type { IntakeState } from './dialog-state.ts';
import { helpMessage } from './help.ts';
import { answer, question, startIntake } from './intake.ts';
import { t } from './messages.ts';
import { understand } from './understand.ts';

/**
 * Text that is not a command: it continues the open dialog (whichever feature owns it); in a
 * thread under one of our messages it goes to the feature that posted it (a note under a ticket
 * card); in a channel bound for a purpose a feature listens to, to that feature; in a DM it
 * starts the intake; elsewhere in a channel it gets the help.
 */
export async function handleFreeText(turn: Turn, text: string, registry: CommandRegistry): Promise<void> {
  const ctx = turn.ctx;
  const state = await ctx.repos.dialogs.get(turn.dialogKey, ctx.clock.now());
  const dialog = state === undefined ? undefined : registry.dialog(state);
  if (dialog) return dialog.continue(turn, state, text);

  const { conversation, platform } = turn.inbound;
  if (!turn.inDm) {
    // A reply under one of our messages goes to the feature that posted it (a card, a question…).
    const ref = conversation.threadId ? await ctx.repos.outbox.findRef(platform, conversation.id, conversation.threadId) : undefined;
    const thread = ref ? registry.thread(ref) : undefined;
    if (ref && thread) return thread.handle(turn, ref, text);
    if (!looksLikeCommand(text)) {
      const bindings = await ctx.repos.channels.find(platform, conversation.id);
      const channel = registry.channel(bindings.map((b) => b.purpose));
      if (channel) return channel.handle(turn, text);
    }
  }
  if (!turn.inDm || looksLikeCommand(text)) return turn.replyPrivately(helpMessage(turn.locale, ctx.actor, registry, true));
  if (Actor.organisations(ctx.actor).length === 0) return turn.say(t(turn.locale, 'intake.not_member'));

  // Solutions that may already answer it come first; what the message says is not asked again.
  // The organisation's configuration items, best matches of the message first, for the device
  // step: asked first, so the search's first statement leaves for the database with it.
  const organisationId = requesterOrganisation(ctx.actor);
  const [devices, offer] = await Promise.all([
    organisationId ? deviceChoices(ctx, organisationId, text) : undefined,
    offerSolutions(ctx, text, turn.inbound.platform),
  ]);
  const solutions = offer?.hits.map((h) => ({
    kind: h.kind,
    ref: h.ref,
    rootRef: h.rootRef,
    title: h.title,
    body: h.body.slice(0, 400),
    accepted: h.accepted,
  }));
  const fresh = startIntake(
    text,
    turn.inbound.deliveryId,
    understand(text),
    offer && solutions ? { offerId: offer.offer.id, solutions } : undefined,
    devices,
  );
  await ctx.repos.dialogs.put(turn.dialogKey, fresh, turn.dialogExpiry());
  const q = question(turn.locale, fresh);
  turn.reply({ ...q, text: `${t(turn.locale, 'intake.start')}\n${q.text}` });
}

/** The one organisation a requester's ticket is for (the intake asks no organisation). */
function requesterOrganisation(actor: Actor): string | undefined {
  const orgs = Actor.organisations(actor);
  return orgs.length === 1 ? orgs[0] : undefined;
}

/** One answer (typed or a button) to the intake dialog. */
export async function continueIntake(
  turn: Turn,
  state: IntakeState,
  input: { readonly text?: string; readonly action?: { readonly id: string; readonly value: string } },
): Promise<void> {
  // A typed device that names one of the organisation's items is that item.
  const organisationId = requesterOrganisation(turn.ctx.actor);
  const match =
    state.step === 'device' && input.text && !input.action && organisationId
      ? await matchTypedDevice(turn.ctx, organisationId, input.text)
      : undefined;
  const step = answer(turn.locale, state, match ? { ...input, match } : input);
  if (step.kind === 'confirmed') return submitIntake(turn, step.state);
  if (step.kind === 'solved') {
    if (state.offerId) await settleOffer(turn.ctx, state.offerId, 'resolved');
    await turn.ctx.repos.dialogs.delete(turn.dialogKey);
    return turn.reply({ text: t(turn.locale, 'intake.solved_thanks') });
  }
  // Past the offer: the requester chose to open the ticket anyway.
  if (state.step === 'offer' && step.kind === 'ask' && state.offerId) await settleOffer(turn.ctx, state.offerId, 'declined');
  await turn.ctx.repos.dialogs.put(turn.dialogKey, step.state, turn.dialogExpiry());
  turn.reply(step.message);
}
