import type { ConfigurationItem } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { assertReadItem, CmdbPolicy } from './cmdb-policy.ts';

/**
 * The configuration item typed as `CI-000007` or by its name, among those the actor may see
 * (and, when given, of one organisation). Several items with the same name: the lowest number.
 */
export async function findItemOrThrow(ctx: UseCaseContext, typed: string, organisationId?: string): Promise<ConfigurationItem> {
  const readable = CmdbPolicy.readableOrganisations(ctx.actor);
  const scope = organisationId ? (readable && !readable.includes(organisationId) ? [] : [organisationId]) : readable;
  if (scope?.length === 0) throw new DomainError('ci_not_found', { ref: typed.trim().slice(0, 40) });
  const [item] = await ctx.repos.monitoring.findConfigurationItemsByName(typed, scope);
  return assertReadItem(ctx.actor, item, typed);
}
