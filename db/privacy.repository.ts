/**
 * Privacy rights on PostgreSQL: the export of everything held about a person, the erasure, the
 * register of requests, the one-time download links (only the SHA-256 of a token is stored) and
 * the retention of closed tickets.
 *
 * Every table holding a person column appears in EXPORT below or is swept by the erasure; the
 * erasure also scrubs, in every text and jsonb column of the database, the person's name, handle,
 * email and phone (word-bounded, case-insensitive), so copies in others' texts and in the
 * messages sent go too. A new table with personal data belongs here.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type {
  ErasureCounts,
  ErasureResult,
  ExportLinkRefusal,
  PersonExport,
  PrivacyRepository as PrivacyRepositoryPort,
  PrivacyRequest,
  Pseudonym,
} from '../core/privacy/ports.ts';
import type { CommunityTables } from './community.tables.ts';
import { SearchIndex } from './community-search.ts';
import { hashToken, newToken } from './dashboard.repository.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/**
 * The sections of an export, each one query over the person `p` (a uuid parameter). Only what is
 * the person's: other people appear by no name, handle, account or text (their ids are left out
 * too, except where they are the person's own).
 */
const EXPORT: readonly (readonly [string, (p: RawBuilder<unknown>) => RawBuilder<unknown>])[] = [
  [
    'identities',
    (p) => sql`select platform, external_id, last_seen_at from identities where person_id = ${p} order by platform, external_id`,
  ],
  [
    'roleGrants',
    (p) => sql`select g.role, o.name as organisation, v.name as vendor, g.granted_at, g.reason, g.expires_at, g.revoked_at, g.revoke_reason
      from role_grants g left join organisations o on o.id = g.organisation_id left join vendors v on v.id = g.vendor_id
      where g.person_id = ${p} order by g.granted_at`,
  ],
  [
    'ticketsRequested',
    (p) => sql`select t.ref, t.kind, t.title, t.description, t.category, t.status, t.priority, t.rating, o.name as organisation,
        t.created_at, t.resolved_at, t.closed_at,
        coalesce((select json_agg(json_build_object('body', c.body, 'createdAt', c.created_at) order by c.seq)
          from ticket_comments c where c.ticket_id = t.id and c.author_id = ${p}), '[]') as comments
      from tickets t join organisations o on o.id = t.organisation_id where t.requester_id = ${p} order by t.created_at`,
  ],
  [
    'ticketsAssigned',
    (p) =>
      sql`select ref, kind, status, created_at, closed_at from tickets where assignee_id = ${p} and requester_id <> ${p} order by created_at`,
  ],
  [
    'commentsElsewhere',
    (p) => sql`select t.ref as ticket, c.body, c.internal, c.created_at from ticket_comments c join tickets t on t.id = c.ticket_id
      where c.author_id = ${p} and t.requester_id <> ${p} order by c.seq`,
  ],
  [
    'ticketActions',
    (p) => sql`select t.ref as ticket, e.field, e.at, e.note,
        case when e.field = 'assignee' and e.from_value is distinct from ${p}::text then null else e.from_value end as from_value,
        case when e.field = 'assignee' and e.to_value is distinct from ${p}::text then null else e.to_value end as to_value
      from ticket_events e join tickets t on t.id = e.ticket_id where e.actor_id = ${p} order by e.seq`,
  ],
  [
    'communityQuestions',
    (p) =>
      sql`select ref, title, body, tags, platform, created_at, hidden_at from community_questions where author_id = ${p} order by created_at`,
  ],
  [
    'communityAnswers',
    (p) => sql`select a.ref, q.ref as question, a.body, a.platform, a.accepted_at, a.created_at, a.hidden_at
      from community_answers a join community_questions q on q.id = a.question_id where a.author_id = ${p} order by a.created_at`,
  ],
  [
    'communityVotes',
    (p) =>
      sql`select a.ref as answer, v.created_at from community_votes v join community_answers a on a.id = v.answer_id where v.person_id = ${p} order by v.created_at`,
  ],
  [
    'communityAnnouncements',
    (p) => sql`select ref, body, status, created_at from community_announcements where author_id = ${p} order by created_at`,
  ],
  ['moderationActions', (p) => sql`select target_ref, action, reason, at from community_moderation where actor_id = ${p} order by id`],
  [
    'deflectionOffers',
    (p) => sql`select d.source, d.platform, d.query, d.outcome, d.outcome_at, t.ref as ticket, d.created_at
      from deflection_offers d left join tickets t on t.id = d.ticket_id where d.person_id = ${p} order by d.created_at`,
  ],
  // Articles they wrote; for those drawn from their ticket (written by a volunteer), only which.
  [
    'kbArticles',
    (p) => sql`select ref, title, case when author_id = ${p} then body end as body, status, created_at from kb_articles
      where author_id = ${p} or requester_id = ${p} order by created_at`,
  ],
  [
    'dialogs',
    (p) => sql`select d.key, d.state, d.expires_at from dialogs d
      where exists (select 1 from identities i where i.person_id = ${p} and d.key like i.platform || ':%:' || i.external_id) order by d.key`,
  ],
  [
    'webChatMessages',
    (p) => sql`select w.conversation, w.message, w.created_at from web_messages w
      where w.author in (select external_id from identities where person_id = ${p} and platform = 'web') order by w.seq`,
  ],
  [
    'vendorEngagementsRequested',
    (
      p,
    ) => sql`select t.ref as ticket, e.status, e.category, e.region, e.requested_at from engagements e join tickets t on t.id = e.ticket_id
      where e.requested_by = ${p} order by e.requested_at`,
  ],
  [
    'vendorReviews',
    (p) => sql`select v.name as vendor, r.rating, r.comment, r.created_at from vendor_reviews r join vendors v on v.id = r.vendor_id
      where r.author_id = ${p} order by r.created_at`,
  ],
  [
    'complaints',
    (p) =>
      sql`select ref, subject_kind, subject_label, reason, status, decision, filed_at, closed_at from complaints where filed_by = ${p} order by filed_at`,
  ],
  [
    'committeeDecisions',
    (p) =>
      sql`select decision, subject_kind, subject_label, role, reason, decided_at from committee_decisions where decided_by = ${p} order by decided_at`,
  ],
  ['vendorsApplied', (p) => sql`select ref, name, status, created_at from vendors where applied_by = ${p} order by created_at`],
  ['vendorOffers', (p) => sql`select ref, kind, title, created_at from vendor_offers where created_by = ${p} order by created_at`],
  [
    'dashboardSessions',
    (p) => sql`select created_at, expires_at, last_seen_at, revoked_at from dashboard_sessions where person_id = ${p} order by created_at`,
  ],
  ['dashboardLinks', (p) => sql`select created_at, expires_at, used_at from dashboard_links where person_id = ${p} order by created_at`],
  [
    'configurationItemHistory',
    (p) => sql`select ci.number as item, h.field, h.from_value, h.to_value, h.reason, h.at from configuration_item_history h
      join configuration_items ci on ci.id = h.configuration_item_id where h.actor_id = ${p} order by h.seq`,
  ],
  [
    'configurationItemsCreated',
    (p) => sql`select number as item, kind, name, created_at from configuration_items where created_by = ${p} order by number`,
  ],
  [
    'problemActions',
    (
      p,
    ) => sql`select pr.ref as problem, e.field, e.from_value, e.to_value, e.note, e.at from problem_events e join problems pr on pr.id = e.problem_id
      where e.actor_id = ${p} and e.field <> 'owner' order by e.seq`,
  ],
  [
    'problemsOwnedOrCreated',
    (p) => sql`select ref, title, status, created_at from problems where owner_id = ${p} or created_by = ${p} order by created_at`,
  ],
  [
    'problemLinks',
    (p) => sql`select pr.ref as problem, t.ref as ticket, l.linked_at from problem_links l join problems pr on pr.id = l.problem_id
      join tickets t on t.id = l.ticket_id where l.linked_by = ${p} order by l.linked_at`,
  ],
  [
    'changeApprovals',
    (p) => sql`select t.ref as change, a.slot, a.decision, a.note, a.at from change_approvals a join tickets t on t.id = a.ticket_id
      where a.approver_id = ${p} order by a.at`,
  ],
  [
    'changeReviews',
    (p) => sql`select t.ref as change, d.outcome, d.review_note, d.reviewed_at from change_details d join tickets t on t.id = d.ticket_id
      where d.reviewed_by = ${p} order by d.reviewed_at`,
  ],
  ['silences', (p) => sql`select reason, starts_at, ends_at from silences where created_by = ${p} order by starts_at`],
  [
    'alertsHandled',
    (
      p,
    ) => sql`select number as alert, acknowledged_at, case when false_alarm_by = ${p} then false_alarm_at end as false_alarm_at from alerts
      where acknowledged_by = ${p} or false_alarm_by = ${p} order by number`,
  ],
  [
    'monitoringAgents',
    (
      p,
    ) => sql`select a.name, o.name as organisation, a.enrolled_at, a.revoked_at from monitoring_agents a join organisations o on o.id = a.organisation_id
      where a.person_id = ${p} or a.enrolled_by = ${p} order by a.enrolled_at`,
  ],
  [
    'channelBindings',
    (p) => sql`select purpose, platform, conversation_id, bound_at from channel_bindings where bound_by = ${p} order by bound_at`,
  ],
  ['privacyRequests', (p) => sql`select kind, channel, reason, at from privacy_requests where person_id = ${p} order by seq`],
];

/** Columns never scrubbed: keys, codes and hashes (a handle-like word inside one is not a person). */
const NOT_SCRUBBED_COLUMNS = new Set([
  'key',
  'code',
  'token_hash',
  'fingerprint',
  'ref',
  'root_ref',
  'target_ref',
  'idempotency_key',
  'delivery_id',
  'external_id',
  'platform',
  'client_id',
]);
const NOT_SCRUBBED_TABLES = new Set([
  'people',
  'identities',
  'kysely_migration',
  'kysely_migration_lock',
  'community_search',
  'community_words',
]);

/** `s` as a literal inside a PostgreSQL regular expression. */
const regexLiteral = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
/** `s` as a literal inside a LIKE pattern (escape character `\`). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/**
 * What finds a text the person wrote inside the JSON of a message sent (a card quotes a ticket's
 * description, maybe cut): its first line, up to 40 characters, stopping before anything JSON
 * escapes. Too short to be recognisable → none.
 */
function jsonKey(text: string): string | undefined {
  const head = text.trim().split('\n')[0] ?? '';
  const cut = head.search(/["\\\u0000-\u001f\u007f-\uffff]/);
  const key = (cut === -1 ? head : head.slice(0, cut)).slice(0, 40).trim();
  return key.length >= 12 ? key : undefined;
}

/** Replaces, anywhere in `value`, each string containing one of `keys` by `removed`. */
function scrubJson(value: unknown, keys: readonly string[], removed: string): unknown {
  if (typeof value === 'string') return keys.some((k) => value.includes(k)) ? removed : value;
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, keys, removed));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubJson(v, keys, removed)]));
  return value;
}

interface Column {
  readonly table: string;
  readonly column: string;
  readonly json: boolean;
}

export class PrivacyRepository implements PrivacyRepositoryPort {
  constructor(private readonly db: Db) {}

  async exportPerson(personId: string, at: Date): Promise<PersonExport> {
    const p = sql`${personId}::uuid`;
    const person = await sql<Record<string, unknown>>`
      select id, handle, display_name, email, phone, locale, created_at, erased_at from people where id = ${p}`.execute(this.db);
    const out: Record<string, unknown> = { generatedAt: at.toISOString(), person: person.rows[0] ?? null };
    for (const [name, query] of EXPORT) out[name] = (await sql<Record<string, unknown>>`${query(p)}`.execute(this.db)).rows;
    return out;
  }

  async erasePerson(personId: string, pseudonym: Pseudonym, at: Date): Promise<ErasureResult> {
    const db = this.db;
    const counts: Record<string, number> = {};
    const count = (name: string, n: bigint | number | undefined) => {
      counts[name] = (counts[name] ?? 0) + Number(n ?? 0);
    };
    const p = sql`${personId}::uuid`;
    const removed = pseudonym.removedText;
    const person = (
      await sql<{ handle: string; display_name: string; email: string | null; phone: string | null; erased_at: Date | null }>`
        select handle, display_name, email, phone, erased_at from people where id = ${p} for update`.execute(db)
    ).rows[0];
    if (!person) return { alreadyErased: false, counts };
    const identities = (
      await sql<{ platform: string; external_id: string }>`select platform, external_id from identities where person_id = ${p}`.execute(db)
    ).rows;
    const webIds = identities.filter((i) => i.platform === 'web').map((i) => i.external_id);

    // What they wrote, before it is replaced: found again in copies (events, messages sent).
    const written = (
      await sql<{ text: string }>`
        select title as text from tickets where requester_id = ${p}
        union select description from tickets where requester_id = ${p}
        union select body from ticket_comments where author_id = ${p}
        union select title from community_questions where author_id = ${p}
        union select body from community_questions where author_id = ${p}
        union select body from community_answers where author_id = ${p}
        union select body from community_announcements where author_id = ${p}
        union select query from deflection_offers where person_id = ${p}
        union select comment from vendor_reviews where author_id = ${p} and comment is not null
        union select reason from complaints where filed_by = ${p}
        union select message ->> 'text' from web_messages where author = any(${webIds}::text[]) and message ->> 'text' is not null`.execute(
        db,
      )
    ).rows
      .map((r) => r.text)
      .filter((s) => s && s !== removed);

    // Their texts, replaced in place: the rows (and every foreign key to them) stay.
    const run = async (name: string, q: RawBuilder<unknown>) => count(name, (await q.execute(db)).numAffectedRows);
    await run(
      'tickets',
      sql`update tickets set title = ${removed}, description = ${removed} where requester_id = ${p} and (title <> ${removed} or description <> ${removed})`,
    );
    await run('ticket_comments', sql`update ticket_comments set body = ${removed} where author_id = ${p} and body <> ${removed}`);
    await run(
      'community_questions',
      sql`update community_questions set title = ${removed}, body = ${removed}, tags = '{}' where author_id = ${p} and body <> ${removed}`,
    );
    await run('community_answers', sql`update community_answers set body = ${removed} where author_id = ${p} and body <> ${removed}`);
    await run(
      'community_announcements',
      sql`update community_announcements set body = ${removed} where author_id = ${p} and body <> ${removed}`,
    );
    await run('deflection_offers', sql`update deflection_offers set query = ${removed} where person_id = ${p} and query <> ${removed}`);
    await run('vendor_reviews', sql`update vendor_reviews set comment = ${removed} where author_id = ${p} and comment <> ${removed}`);
    await run('complaints', sql`update complaints set reason = ${removed} where filed_by = ${p} and reason <> ${removed}`);
    await run(
      'web_messages',
      sql`update web_messages set message = ${JSON.stringify({ text: removed })}::jsonb, author = ${pseudonym.handle} where author = any(${webIds}::text[])`,
    );
    // Their web chat conversation and the answers only they saw follow the pseudonym.
    await run(
      'web_messages',
      sql`update web_messages set conversation = ${`dm:${pseudonym.handle}`} where conversation = any(${webIds.map((id) => `dm:${id}`)}::text[])`,
    );
    await run('web_messages', sql`update web_messages set ephemeral_to = ${pseudonym.handle} where ephemeral_to = any(${webIds}::text[])`);

    // The person: no name, handle, contact; no account, session, link or dialog left to reach them by.
    await run(
      'people',
      sql`update people set handle = ${pseudonym.handle}, display_name = ${pseudonym.displayName}, email = null, phone = null,
        erased_at = coalesce(erased_at, ${at}) where id = ${p}`,
    );
    for (const i of identities) {
      await run(
        'platform_dm_channels',
        sql`delete from platform_dm_channels where platform = ${i.platform} and user_id = ${i.external_id}`,
      );
      await run(
        'platform_interactions',
        sql`delete from platform_interactions where platform = ${i.platform} and user_id = ${i.external_id}`,
      );
      await run('dialogs', sql`delete from dialogs where key like ${`${likeLiteral(i.platform)}:%:${likeLiteral(i.external_id)}`}`);
      // Their events still waiting in the inbox (seconds normally, up to a day when the engine keeps failing).
      await run(
        'inbound_inbox',
        sql`delete from inbound_inbox where platform = ${i.platform} and payload -> 'event' ->> 'user' = ${i.external_id}`,
      );
      // The map of messages sent in their DM (to edit them later): their account id, nothing to keep.
      await run(
        'platform_messages',
        sql`delete from platform_messages where platform = ${i.platform} and conversation_id = ${i.external_id}`,
      );
      // Messages addressed to their account: no longer theirs to receive; what was sent keeps no id.
      await run(
        'outbox',
        sql`update outbox set address = jsonb_set(address, '{conversationId}', to_jsonb(${pseudonym.handle}::text)),
            status = case when status = 'pending' then 'failed' else status end,
            last_error = case when status = 'pending' then 'recipient erased' else last_error end
          where platform = ${i.platform} and address ->> 'kind' = 'dm' and address ->> 'conversationId' = ${i.external_id}`,
      );
      await run(
        'outbox',
        sql`update outbox set ephemeral_to = ${pseudonym.handle} where platform = ${i.platform} and ephemeral_to = ${i.external_id}`,
      );
    }
    await run('identities', sql`delete from identities where person_id = ${p}`);
    await run('dashboard_sessions', sql`delete from dashboard_sessions where person_id = ${p}`);
    await run('dashboard_links', sql`delete from dashboard_links where person_id = ${p}`);
    await run('privacy_export_links', sql`delete from privacy_export_links where person_id = ${p}`);
    await run('one_time_codes', sql`delete from one_time_codes where purpose ->> 'personId' = ${personId}`);

    // Copies: their name, handle and contacts wherever anyone wrote them; their texts in events and messages sent.
    const pairs: [string | null, string][] = [
      [person.display_name, pseudonym.displayName],
      [person.handle, pseudonym.handle],
      [person.email, removed],
      [person.phone, removed],
      // Their account ids, as mentions in others' texts (`<@U024BE7LH>`); short ids are too common to chase.
      ...identities.filter((i) => i.external_id.length >= 6).map((i): [string, string] => [i.external_id, pseudonym.handle]),
    ];
    const secrets = pairs.filter((x): x is [string, string] => x[0] !== null && x[0].trim().length >= 3 && x[0] !== x[1]);
    await this.scrub(secrets, written, removed, count);

    // The community's search rows are rebuilt from the scrubbed posts.
    const questions = (
      await sql<{ id: string }>`select id from community_questions where author_id = ${p}
        union select question_id from community_answers where author_id = ${p}`.execute(db)
    ).rows;
    const community = db as unknown as Kysely<Database & CommunityTables>;
    for (const q of questions) await SearchIndex.question(community, q.id);
    // The spelling vocabulary forgets the words only their posts used.
    await run(
      'community_words',
      sql`delete from community_words cw
        where cw.word in (select distinct w from unnest(${written}::text[]) t(x), regexp_split_to_table(lower(unaccent(t.x)), '[^a-z0-9]+') w)
          and not exists (select 1 from community_search s, regexp_split_to_table(lower(unaccent(s.title || ' ' || s.body)), '[^a-z0-9]+') w2
            where w2 = cw.word)`,
    );
    return { alreadyErased: person.erased_at !== null, counts: counts as ErasureCounts };
  }

  /**
   * Replaces `secrets` (word-bounded, any case) in every text and jsonb column, and `written`
   * texts: exactly in text columns, and in the messages sent (outbox, web chat) every string that
   * quotes one (a card may cut a description).
   */
  private async scrub(
    secrets: readonly [string, string][],
    written: readonly string[],
    removed: string,
    count: (name: string, n: bigint | number | undefined) => void,
  ): Promise<void> {
    const db = this.db;
    const columns = (
      await sql<{ table_name: string; column_name: string; data_type: string }>`
        select c.table_name, c.column_name, c.data_type from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'jsonb') and c.is_generated = 'NEVER'
        order by c.table_name, c.column_name`.execute(db)
    ).rows
      .filter((c) => !NOT_SCRUBBED_TABLES.has(c.table_name) && !NOT_SCRUBBED_COLUMNS.has(c.column_name))
      .map((c): Column => ({ table: c.table_name, column: c.column_name, json: c.data_type === 'jsonb' }));
    const patterns = secrets.map(([s, r]) => [`(?<![[:alnum:]_])${regexLiteral(s)}(?![[:alnum:]_])`, r] as const);
    const texts = written.filter((w) => w.trim().length >= 12);
    for (const c of columns) {
      const col = sql.ref(c.column);
      const table = sql.table(c.table);
      const value = c.json ? sql`${col}::text` : sql`${col}`;
      let replaced: RawBuilder<unknown> = value;
      for (const [pattern, r] of patterns) replaced = sql`regexp_replace(${replaced}, ${pattern}, ${r}, 'gi')`;
      if (!c.json) for (const w of texts) replaced = sql`replace(${replaced}, ${w}, ${removed})`;
      const matches = [
        ...patterns.map(([pattern]) => sql`${value} ~* ${pattern}`),
        ...(c.json ? [] : texts.map((w) => sql`strpos(${value}, ${w}) > 0`)),
      ];
      if (!matches.length) continue;
      const r =
        await sql`update ${table} set ${col} = ${c.json ? sql`(${replaced})::jsonb` : replaced} where ${sql.join(matches, sql` or `)}`.execute(
          db,
        );
      if (r.numAffectedRows) count(`scrubbed:${c.table}.${c.column}`, r.numAffectedRows);
    }
    await this.scrubMessages(texts, removed, count);
  }

  /** The texts quoted in the messages sent (cards, answers) and in the web chat's history. */
  private async scrubMessages(texts: readonly string[], removed: string, count: (name: string, n: number) => void): Promise<void> {
    const keys = [...new Set(texts.map(jsonKey).filter((k): k is string => k !== undefined))];
    if (!keys.length) return;
    const likes = keys.map((k) => `%${likeLiteral(k)}%`);
    for (const table of ['outbox', 'web_messages'] as const) {
      const rows = (
        await sql<{
          id: string;
          message: unknown;
        }>`select id, message from ${sql.table(table)} where message::text like any(${likes}::text[]) for update`.execute(this.db)
      ).rows;
      for (const row of rows) {
        await sql`update ${sql.table(table)} set message = ${JSON.stringify(scrubJson(row.message, keys, removed))}::jsonb where id = ${row.id}`.execute(
          this.db,
        );
      }
      if (rows.length) count(`scrubbed:${table}.message`, rows.length);
    }
  }

  async record(r: PrivacyRequest): Promise<void> {
    await sql`insert into privacy_requests (kind, person_id, requested_by, channel, reason, details, at)
      values (${r.kind}, ${r.personId}, ${r.requestedBy}, ${r.channel}, ${r.reason}, ${JSON.stringify(r.details)}::jsonb, ${r.at})`.execute(
      this.db,
    );
  }

  async requests(personId: string): Promise<PrivacyRequest[]> {
    const rows = await sql<{
      kind: PrivacyRequest['kind'];
      person_id: string | null;
      requested_by: string | null;
      channel: PrivacyRequest['channel'];
      reason: string;
      details: Record<string, unknown>;
      at: Date;
    }>`select kind, person_id, requested_by, channel, reason, details, at from privacy_requests where person_id = ${personId} order by seq`.execute(
      this.db,
    );
    return rows.rows.map((r) => ({
      kind: r.kind,
      personId: r.person_id,
      requestedBy: r.requested_by,
      channel: r.channel,
      reason: r.reason,
      details: r.details,
      at: r.at,
    }));
  }

  async createExportLink(personId: string, now: Date, expiresAt: Date): Promise<string> {
    const token = newToken();
    await sql`insert into privacy_export_links (token_hash, person_id, created_at, expires_at) values (${hashToken(token)}, ${personId}, ${now}, ${expiresAt})`.execute(
      this.db,
    );
    return token;
  }

  async purgeExpiredLinks(before: Date): Promise<number> {
    const r = await sql`delete from privacy_export_links where expires_at < ${before}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** One conditional UPDATE: of concurrent callers exactly one gets the person. */
  async consumeExportLink(token: string, now: Date): Promise<{ readonly personId: string } | { readonly refused: ExportLinkRefusal }> {
    const hash = hashToken(token);
    const used = await sql<{ person_id: string }>`update privacy_export_links set used_at = ${now}
      where token_hash = ${hash} and used_at is null and expires_at > ${now} returning person_id`.execute(this.db);
    const row = used.rows[0];
    if (row) return { personId: row.person_id };
    const seen = (await sql<{ used_at: Date | null }>`select used_at from privacy_export_links where token_hash = ${hash}`.execute(this.db))
      .rows[0];
    return { refused: !seen ? 'unknown' : seen.used_at ? 'used' : 'expired' };
  }

  async clearClosedTickets(closedBefore: Date, removedText: string, at: Date, limit: number): Promise<string[]> {
    const db = this.db;
    const tickets = (
      await sql<{ id: string; ref: string }>`select id, ref from tickets
        where closed_at < ${closedBefore} and personal_data_removed_at is null order by closed_at limit ${limit} for update skip locked`.execute(
        db,
      )
    ).rows;
    if (!tickets.length) return [];
    const ids = tickets.map((t) => t.id);
    const written = (
      await sql<{ text: string }>`select title as text from tickets where id = any(${ids}::uuid[])
        union select description from tickets where id = any(${ids}::uuid[])
        union select body from ticket_comments where ticket_id = any(${ids}::uuid[])
        union select query from deflection_offers where ticket_id = any(${ids}::uuid[])`.execute(db)
    ).rows
      .map((r) => r.text)
      .filter((s) => s && s !== removedText);
    await sql`update tickets set title = ${removedText}, description = ${removedText}, personal_data_removed_at = ${at} where id = any(${ids}::uuid[])`.execute(
      db,
    );
    await sql`update ticket_comments set body = ${removedText} where ticket_id = any(${ids}::uuid[])`.execute(db);
    await sql`update deflection_offers set query = ${removedText} where ticket_id = any(${ids}::uuid[])`.execute(db);
    const texts = written.filter((w) => w.trim().length >= 12);
    for (const w of texts) {
      for (const column of ['from_value', 'to_value', 'note'] as const)
        await sql`update ticket_events set ${sql.ref(column)} = replace(${sql.ref(column)}, ${w}, ${removedText})
          where ticket_id = any(${ids}::uuid[]) and strpos(${sql.ref(column)}, ${w}) > 0`.execute(db);
    }
    await this.scrubMessages(texts, removedText, () => {});
    return tickets.map((t) => t.ref);
  }
}
