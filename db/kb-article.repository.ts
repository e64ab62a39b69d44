import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Article } from '../core/community/model.ts';
import type { ArticlePatch, NewArticle } from '../core/community/ports.ts';
import type { CommunityTables, KbArticlesTable } from './community.tables.ts';
import { SearchIndex } from './community-search.ts';
import type { Database } from './schema.ts';

const toArticle = (r: Selectable<KbArticlesTable>, ticketRefs: readonly string[]): Article => ({
  id: r.id,
  ref: r.ref,
  title: r.title,
  body: r.body,
  tags: r.tags,
  status: r.status,
  authorId: r.author_id,
  requesterId: r.requester_id,
  decidedBy: r.decided_by,
  publishedAt: r.published_at,
  hiddenAt: r.hidden_at,
  createdAt: r.created_at,
  ticketRefs,
});

/** Knowledge base articles and the tickets they solved; publishing or hiding one rebuilds its search row. */
export class KbArticleRepository {
  private readonly db: Kysely<Database & CommunityTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CommunityTables>();
  }

  private async ticketRefs(articleIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (articleIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('kb_article_tickets as l')
      .innerJoin('tickets as t', 't.id', 'l.ticket_id')
      .select(['l.article_id', 't.ref'])
      .where('l.article_id', 'in', [...articleIds])
      .orderBy('t.ref')
      .execute();
    for (const r of rows) out.set(r.article_id, [...(out.get(r.article_id) ?? []), r.ref]);
    return out;
  }

  private async withTickets(row: Selectable<KbArticlesTable> | undefined): Promise<Article | undefined> {
    return row && toArticle(row, (await this.ticketRefs([row.id])).get(row.id) ?? []);
  }

  async insertArticle(a: NewArticle): Promise<Article> {
    const row = await this.db
      .insertInto('kb_articles')
      .values({
        ref: a.ref,
        title: a.title,
        body: a.body,
        tags: [...a.tags],
        status: 'draft',
        author_id: a.authorId,
        requester_id: a.requesterId,
        decided_by: null,
        decided_at: null,
        published_at: null,
        hidden_at: null,
        created_at: a.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArticle(row, []);
  }

  async findArticle(ref: string): Promise<Article | undefined> {
    return this.withTickets(await this.db.selectFrom('kb_articles').selectAll().where('ref', '=', ref).executeTakeFirst());
  }

  async findArticleOfTicket(ticketId: string): Promise<Article | undefined> {
    const row = await this.db
      .selectFrom('kb_articles as k')
      .innerJoin('kb_article_tickets as l', 'l.article_id', 'k.id')
      .selectAll('k')
      .where('l.ticket_id', '=', ticketId)
      .executeTakeFirst();
    return this.withTickets(row);
  }

  async linkTicket(articleId: string, ticketId: string, at: Date): Promise<void> {
    await this.db
      .insertInto('kb_article_tickets')
      .values({ article_id: articleId, ticket_id: ticketId, linked_at: at })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async updateArticle(id: string, patch: ArticlePatch, at: Date): Promise<Article> {
    const u: Updateable<KbArticlesTable> = {};
    if (patch.status !== undefined) u.status = patch.status;
    if (patch.decidedBy !== undefined) u.decided_by = patch.decidedBy;
    if (patch.publishedAt !== undefined) u.published_at = patch.publishedAt;
    if (patch.hiddenAt !== undefined) u.hidden_at = patch.hiddenAt;
    if (patch.tags !== undefined) u.tags = [...patch.tags];
    if (patch.title !== undefined) u.title = patch.title;
    if (patch.body !== undefined) u.body = patch.body;
    if (patch.status !== undefined) u.decided_at = at;
    const row = await this.db.updateTable('kb_articles').set(u).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await SearchIndex.article(this.db, id);
    return (await this.withTickets(row)) as Article;
  }

  async decideArticle(id: string, status: 'published' | 'declined', by: string | null, at: Date): Promise<Article | undefined> {
    const row = await this.db
      .updateTable('kb_articles')
      .set({ status, decided_by: by, decided_at: at, ...(status === 'published' ? { published_at: at } : {}) })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await SearchIndex.article(this.db, id);
    return this.withTickets(row);
  }

  async listArticles(filter: { readonly statuses?: readonly Article['status'][]; readonly limit: number }): Promise<Article[]> {
    let q = this.db.selectFrom('kb_articles').selectAll().where('hidden_at', 'is', null);
    if (filter.statuses?.length) q = q.where('status', 'in', [...filter.statuses]);
    const rows = await q.orderBy('created_at', 'desc').orderBy('ref', 'desc').limit(filter.limit).execute();
    const refs = await this.ticketRefs(rows.map((r) => r.id));
    return rows.map((r) => toArticle(r, refs.get(r.id) ?? []));
  }
}
