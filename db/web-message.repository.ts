import { type Kysely, sql } from 'kysely';
import type { OutMessage } from '../core/kernel/message.ts';
import type { Role } from '../core/kernel/person.ts';
import type { WebMessage, WebMessageStore, WebUser } from '../core/kernel/web-chat-store.ts';

interface WebMessageRow {
  id: string;
  seq: number;
  conversation: string;
  thread_of: string | null;
  author: string;
  ephemeral_to: string | null;
  message: OutMessage;
  created_at: Date;
  updated_at: Date;
}

const toMessage = (r: WebMessageRow): WebMessage => ({
  id: r.id,
  seq: Number(r.seq),
  conversation: r.conversation,
  threadOf: r.thread_of,
  author: r.author,
  ephemeralTo: r.ephemeral_to,
  message: r.message,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The web chat's messages and users on PostgreSQL. */
export class WebMessageRepository implements WebMessageStore {
  // The table is the web adapter's own; typed locally so db/schema.ts stays the domain's.
  constructor(private readonly db: Kysely<any>) {}

  async add(m: Omit<WebMessage, 'id' | 'seq' | 'createdAt' | 'updatedAt'>, clientId?: string): Promise<WebMessage> {
    const row = await this.db
      .insertInto('web_messages')
      .values({
        conversation: m.conversation,
        thread_of: m.threadOf,
        author: m.author,
        ephemeral_to: m.ephemeralTo,
        message: JSON.stringify(m.message),
        client_id: clientId ?? null,
      })
      .onConflict((oc) => oc.columns(['author', 'client_id']).where('client_id', 'is not', null).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) return toMessage(row as WebMessageRow);
    // A resend: the message stored the first time.
    const first = await this.db
      .selectFrom('web_messages')
      .selectAll()
      .where('author', '=', m.author)
      .where('client_id', '=', clientId ?? null)
      .executeTakeFirstOrThrow();
    return toMessage(first as WebMessageRow);
  }

  async edit(id: string, message: OutMessage): Promise<WebMessage | undefined> {
    const row = await this.db
      .updateTable('web_messages')
      .set({ message: JSON.stringify(message), updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toMessage(row as WebMessageRow) : undefined;
  }

  async find(id: string): Promise<WebMessage | undefined> {
    const row = await this.db.selectFrom('web_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMessage(row as WebMessageRow) : undefined;
  }

  async list(conversation: string, limit: number): Promise<WebMessage[]> {
    const rows = await this.db
      .selectFrom('web_messages')
      .selectAll()
      .where('conversation', '=', conversation)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return (rows as WebMessageRow[]).reverse().map(toMessage);
  }

  users(): Promise<WebUser[]> {
    return this.usersWhere();
  }

  async user(handle: string): Promise<WebUser | undefined> {
    return (await this.usersWhere(handle))[0];
  }

  private async usersWhere(handle?: string): Promise<WebUser[]> {
    let query = this.db
      .selectFrom('identities as i')
      .innerJoin('people as p', 'p.id', 'i.person_id')
      .leftJoin('role_grants as g', (j) => j.onRef('g.person_id', '=', 'p.id').on('g.revoked_at', 'is', null))
      .leftJoin('organisations as o', 'o.id', 'g.organisation_id')
      .select(['i.external_id as handle', 'p.display_name as name', 'g.role as role', 'o.name as org'])
      .where('i.platform', '=', 'web')
      .orderBy('p.display_name');
    if (handle !== undefined) query = query.where('i.external_id', '=', handle);
    const rows = await query.execute();
    const byHandle = new Map<string, { handle: string; displayName: string; roles: Role[]; organisation: string | null }>();
    for (const r of rows as { handle: string; name: string; role: Role | null; org: string | null }[]) {
      const u = byHandle.get(r.handle) ?? { handle: r.handle, displayName: r.name, roles: [], organisation: null };
      if (r.role && !u.roles.includes(r.role)) u.roles.push(r.role);
      u.organisation ??= r.org;
      byHandle.set(r.handle, u);
    }
    return [...byHandle.values()];
  }
}
