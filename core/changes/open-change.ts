/**
 * Opening an RFC directly in chat: a member for their organisation (`rfc <titolo>`), a volunteer
 * or moderator for any organisation (`rfc <codice fiscale> <titolo>`). The RFC is an ordinary
 * ticket of kind `change` (its card goes to the volunteers, who claim it with `prendi`).
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { createTicket } from '../tickets/create-ticket.ts';

export interface OpenChangeInput {
  readonly title: string;
  /** The organisation's fiscal code (volunteers and staff; a member may name their own). */
  readonly fiscalCode?: string;
  readonly idempotencyKey?: string;
}

/**
 * A change opens as "a team or a service" affected and "can wait" (P4): the change's own
 * urgency is its type (an emergency is submitted as such), not the ticket's priority.
 */
export async function openChange(ctx: UseCaseContext, input: OpenChangeInput): Promise<Ticket> {
  let organisationId: string | undefined;
  if (input.fiscalCode) {
    const org = await ctx.repos.people.findOrganisationByFiscalCode(input.fiscalCode.trim().toUpperCase());
    if (!org) throw new DomainError('organisation_not_found', { code: input.fiscalCode.slice(0, 20) });
    organisationId = org.id;
  }
  const { ticket } = await createTicket(ctx, {
    kind: 'change',
    title: input.title,
    description: input.title,
    impact: 2,
    urgency: 3,
    ...(organisationId ? { organisationId } : {}),
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  });
  return ticket;
}
