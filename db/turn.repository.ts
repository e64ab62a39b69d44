import { CompiledQuery, type Kysely } from 'kysely';
import type { Platform } from '../core/kernel/person.ts';
import type { Sender, TurnRepository as TurnRepositoryPort } from '../core/kernel/ports.ts';
import type { DialogRow, HeldDialogs } from './dialog.repository.ts';
import { type SenderRow, toSender } from './people.repository.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

type OpeningRow = Partial<SenderRow> & { readonly fresh: boolean };

/** The opening (see `open`): $1 platform, $2 delivery id, $3 now, $4 dialog key, $5 the sender's external id. */
const OPENING = `${PREPARED}
      with seen as (
        insert into inbound_deliveries (platform, delivery_id, seen_at) values ($1, $2, $3)
        on conflict (platform, delivery_id) do nothing
        returning 1 as one
      ), locked as (
        select pg_advisory_xact_lock(hashtextextended($4, 0))::text as locked from seen
      ), sender as (
        select i.last_seen_at, p.id, p.handle, p.display_name, p.email, p.phone, p.locale, p.created_at, g.id as grant_id, g.role, g.organisation_id, g.vendor_id, g.expires_at,
          g.granted_by, g.granted_at, g.reason
        from identities i
        join people p on p.id = i.person_id
        left join role_grants g on g.person_id = p.id and g.revoked_at is null
        where i.platform = $1 and i.external_id = $5
      )
      select exists (select 1 from locked) as fresh, sender.*
      from (select 1) one left join sender on true
      order by sender.granted_at, sender.grant_id`;

/** The dialog read behind the opening: $1 dialog key, $2 now. */
const DIALOG = `${PREPARED} select state, expires_at from dialogs where key = $1 and expires_at > $2 for update`;

/**
 * The first statements of every inbound event's transaction: what `deliveries.markSeen`,
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
   * conversation never wait on each other in a cycle. The dialog row is read by a second
   * statement, sent with the first without waiting for it (one write, see
   * db/pipelined-client.ts): it starts once the first holds the lock, so its snapshot sees a
   * dialog another transaction committed while the first waited for it, and it locks the row
   * FOR UPDATE, as `dialogs.get` does. (A duplicate reads it too and ignores it.)
   */
  async open(q: {
    readonly platform: Platform;
    readonly deliveryId: string;
    readonly externalId: string;
    readonly dialogKey: string;
    readonly at: Date;
  }): Promise<{ readonly sender: Sender | undefined } | undefined> {
    // Fixed texts with their values as parameters: nothing to build or compile per event.
    const opening = CompiledQuery.raw(OPENING, [q.platform, q.deliveryId, q.at, q.dialogKey, q.externalId]);
    const dialog = CompiledQuery.raw(DIALOG, [q.dialogKey, q.at]);
    const [opened, read] = await this.db.getExecutor().provideConnection(async (connection) => {
      const both = [connection.executeQuery<OpeningRow>(opening), connection.executeQuery<DialogRow>(dialog)] as const;
      const [a, b] = await Promise.allSettled(both);
      if (a.status === 'rejected') throw a.reason;
      if (b.status === 'rejected') throw b.reason;
      return [a.value.rows, b.value.rows] as const;
    });
    const first = opened[0];
    if (!first?.fresh) return undefined;
    this.held?.set(q.dialogKey, read[0]);
    const known = first.id === undefined || first.id === null ? [] : (opened as SenderRow[]);
    return { sender: toSender(q.platform, q.externalId, known) };
  }
}
