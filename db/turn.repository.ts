import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Platform } from '../core/kernel/person.ts';
import type { Sender, TurnRepository as TurnRepositoryPort } from '../core/kernel/ports.ts';
import type { DialogRow, HeldDialogs } from './dialog.repository.ts';
import { type SenderRow, toSender } from './people.repository.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

type OpeningRow = Partial<SenderRow> & { readonly fresh: boolean; readonly dialog_state: unknown; readonly dialog_expires_at: Date | null };

/**
 * The first statement of every inbound event's transaction: what `deliveries.markSeen`,
 * `people.findSender` and `dialogs.get` would do in three round trips, in one.
 */
export class TurnRepository implements TurnRepositoryPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly held?: HeldDialogs,
  ) {}

  /**
   * The insert comes first: a concurrent duplicate waits on its unique key until the first
   * delivery commits or rolls back (as `markSeen`). The advisory lock is taken on the inserted
   * row only, so a duplicate takes none, and always after the insert, so two events of one
   * conversation never wait on each other in a cycle; the dialog row is read after the lock
   * (the lateral join on it), FOR UPDATE, as `dialogs.get` does.
   */
  async open(q: {
    readonly platform: Platform;
    readonly deliveryId: string;
    readonly externalId: string;
    readonly dialogKey: string;
    readonly at: Date;
  }): Promise<{ readonly sender: Sender | undefined } | undefined> {
    const { rows } = await sql<OpeningRow>`${sql.raw(PREPARED)}
      with seen as (
        insert into inbound_deliveries (platform, delivery_id, seen_at) values (${q.platform}, ${q.deliveryId}, ${q.at})
        on conflict (platform, delivery_id) do nothing
        returning 1 as one
      ), dialog as (
        select d.state, d.expires_at
        from (select pg_advisory_xact_lock(hashtextextended(${q.dialogKey}, 0))::text as locked from seen) l
        cross join lateral (select state, expires_at from dialogs
          where key = ${q.dialogKey} and expires_at > ${q.at} and l.locked is not null for update) d
      ), sender as (
        select i.last_seen_at, p.id, p.handle, p.display_name, p.email, p.phone, p.locale, p.created_at, g.id as grant_id, g.role, g.organisation_id, g.vendor_id, g.expires_at,
          g.granted_by, g.granted_at, g.reason
        from identities i
        join people p on p.id = i.person_id
        left join role_grants g on g.person_id = p.id and g.revoked_at is null
        where i.platform = ${q.platform} and i.external_id = ${q.externalId}
      )
      select exists (select 1 from seen) as fresh, (select state from dialog) as dialog_state,
        (select expires_at from dialog) as dialog_expires_at, sender.*
      from (select 1) one left join sender on true
      order by sender.granted_at, sender.grant_id`.execute(this.db);
    const first = rows[0];
    if (!first?.fresh) return undefined;
    const dialog: DialogRow | undefined =
      first.dialog_expires_at === null ? undefined : { state: first.dialog_state, expires_at: first.dialog_expires_at };
    this.held?.locked(q.dialogKey, dialog);
    const known = first.id === undefined || first.id === null ? [] : (rows as SenderRow[]);
    return { sender: toSender(q.platform, q.externalId, known) };
  }
}
