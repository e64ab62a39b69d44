import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Ticket } from '../core/kernel/ticket.ts';
import {
  OPEN_PROBLEM_STATUSES,
  type Problem,
  type ProblemEvent,
  ProblemRef,
  type ProblemStatus,
  type ProblemSuggestion,
  type ScanThresholds,
  type SuggestedIncident,
  type SuggestionCandidate,
  type SuggestionEvidence,
} from '../core/problems/model.ts';
import type { LinkedTicket, NewProblem, ProblemPatch, ProblemRepository as ProblemRepositoryPort } from '../core/problems/ports.ts';
import type { ProblemCandidate, ProblemCandidateReader } from '../core/tickets/ports.ts';
import { isUuid } from './column-values.ts';
import type { CommunityTables } from './community.tables.ts';
import type { ItilTables, ProblemSuggestionsTable, ProblemsTable } from './itil.tables.ts';
import type { MonitoringTables } from './monitoring.tables.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';
import { toTicket } from './ticket.repository.ts';

type Db = Database & ItilTables & CommunityTables & MonitoringTables;
type ProblemRow = Selectable<ProblemsTable> & { kb_article_ref: string | null };

const OPEN = sql.join(OPEN_PROBLEM_STATUSES.map((s) => sql.lit(s)));
/** Evidence shown per suggestion: the latest incidents, at most this many. */
const EVIDENCE_MAX = 10;
/** Suggestions per basis and scan, the largest patterns first: a flood guard for the volunteers channel. */
const PER_BASIS_MAX = 20;

function toProblem(r: ProblemRow): Problem {
  return {
    id: r.id,
    ref: r.ref,
    organisationId: r.organisation_id,
    title: r.title,
    description: r.description,
    status: r.status,
    ownerId: r.owner_id,
    category: r.category,
    configurationItemId: r.configuration_item_id,
    rootCause: r.root_cause,
    workaround: r.workaround,
    resolution: r.resolution,
    kbArticleId: r.kb_article_id,
    kbArticleRef: r.kb_article_ref,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    knownErrorAt: r.known_error_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
  };
}

function toSuggestion(r: Selectable<ProblemSuggestionsTable>): ProblemSuggestion {
  return {
    id: r.id,
    basis: r.basis,
    key: r.key,
    organisationId: r.organisation_id,
    evidence: r.evidence as SuggestionEvidence,
    suggestedAt: r.suggested_at,
    problemId: r.problem_id,
  };
}

function patchColumns(p: ProblemPatch): Updateable<ProblemsTable> {
  const u: Updateable<ProblemsTable> = {};
  if (p.status !== undefined) u.status = p.status;
  if (p.ownerId !== undefined) u.owner_id = p.ownerId;
  if (p.organisationId !== undefined) u.organisation_id = p.organisationId;
  if (p.rootCause !== undefined) u.root_cause = p.rootCause;
  if (p.workaround !== undefined) u.workaround = p.workaround;
  if (p.resolution !== undefined) u.resolution = p.resolution;
  if (p.kbArticleId !== undefined) u.kb_article_id = p.kbArticleId;
  if (p.knownErrorAt !== undefined) u.known_error_at = p.knownErrorAt;
  if (p.resolvedAt !== undefined) u.resolved_at = p.resolvedAt;
  if (p.closedAt !== undefined) u.closed_at = p.closedAt;
  return u;
}

interface GroupRow {
  key: string;
  organisation_id: string | null;
  n: number;
  ids: string[] | null;
}

interface AlertGroupRow {
  key: string;
  organisation_id: string;
  check_id: string;
  target: string;
  configuration_item_id: string | null;
  alerts: number;
  flaps: number;
  false_alarms: number;
  ids: string[] | null;
}

/** Problems, their links, history and suggestions on PostgreSQL; also the card's reader of open problems matching a ticket. */
export class ProblemRepository implements ProblemRepositoryPort, ProblemCandidateReader {
  private readonly db: Kysely<Db>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ItilTables & CommunityTables & MonitoringTables>();
  }

  private selectProblems() {
    return this.db
      .selectFrom('problems as p')
      .leftJoin('kb_articles as k', 'k.id', 'p.kb_article_id')
      .selectAll('p')
      .select('k.ref as kb_article_ref');
  }

  /** Draws from `ticket_ref_prb_seq` (migration 0001), which never hands a number out twice. */
  async nextRef(): Promise<string> {
    const { rows } = await sql<{ n: string }>`select nextval('ticket_ref_prb_seq'::regclass) as n`.execute(this.db);
    const n = rows[0]?.n;
    if (n === undefined) throw new Error('nextval(ticket_ref_prb_seq) returned no row');
    return ProblemRef.format(Number(n));
  }

  async insert(p: NewProblem): Promise<Problem> {
    const row = await this.db
      .insertInto('problems')
      .values({
        ref: p.ref,
        organisation_id: p.organisationId,
        title: p.title,
        description: p.description,
        status: 'new',
        category: p.category,
        configuration_item_id: p.configurationItemId,
        created_by: p.createdBy,
        created_at: p.createdAt,
        updated_at: p.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProblem({ ...row, kb_article_ref: null });
  }

  async findByRef(ref: string): Promise<Problem | undefined> {
    const row = await this.selectProblems().where('p.ref', '=', ref).executeTakeFirst();
    return row && toProblem(row);
  }

  async findById(id: string): Promise<Problem | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.selectProblems().where('p.id', '=', id).executeTakeFirst();
    return row && toProblem(row);
  }

  async lock(id: string): Promise<Problem | undefined> {
    const locked = await this.db.selectFrom('problems').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    return locked && this.findById(locked.id);
  }

  async update(id: string, from: readonly ProblemStatus[], patch: ProblemPatch, at: Date): Promise<Problem | undefined> {
    if (from.length === 0) return undefined;
    const row = await this.db
      .updateTable('problems')
      .set({ ...patchColumns(patch), updated_at: at })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .returning('id')
      .executeTakeFirst();
    return row && this.findById(row.id);
  }

  async list(filter: { readonly statuses?: readonly ProblemStatus[]; readonly limit?: number }): Promise<Problem[]> {
    if (filter.statuses?.length === 0) return [];
    let q = this.selectProblems();
    if (filter.statuses) q = q.where('p.status', 'in', [...filter.statuses]);
    q = q.orderBy('p.created_at', 'desc').orderBy('p.ref', 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(toProblem);
  }

  async link(problemId: string, ticketId: string, by: string | null, at: Date): Promise<boolean> {
    // problem_links.ticket_id is unique: a ticket in at most one problem, whoever links first.
    const row = await this.db
      .insertInto('problem_links')
      .values({ problem_id: problemId, ticket_id: ticketId, linked_by: by, linked_at: at })
      .onConflict((oc) => oc.doNothing())
      .returning('ticket_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async problemOfTicket(ticketId: string): Promise<Problem | undefined> {
    const row = await this.selectProblems()
      .innerJoin('problem_links as l', 'l.problem_id', 'p.id')
      .where('l.ticket_id', '=', ticketId)
      .executeTakeFirst();
    return row && toProblem(row);
  }

  async linkedTickets(problemId: string): Promise<LinkedTicket[]> {
    const rows = await this.db
      .selectFrom('problem_links as l')
      .innerJoin('tickets as t', 't.id', 'l.ticket_id')
      .leftJoin('change_details as c', 'c.ticket_id', 't.id')
      .selectAll('t')
      .select(['c.outcome as change_outcome', 'l.linked_at'])
      .where('l.problem_id', '=', problemId)
      .orderBy('l.linked_at')
      .orderBy('t.ref')
      .execute();
    return rows.map((r) => {
      const { change_outcome, linked_at, ...ticket } = r;
      return { ticket: toTicket(ticket), changeOutcome: change_outcome, linkedAt: linked_at };
    });
  }

  async addEvents(events: readonly ProblemEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('problem_events')
      .values(
        events.map((e) => ({
          problem_id: e.problemId,
          actor_id: e.actorId,
          at: e.at,
          field: e.field,
          from_value: e.from,
          to_value: e.to,
          note: e.note,
        })),
      )
      .execute();
  }

  async listEvents(problemId: string): Promise<ProblemEvent[]> {
    const rows = await this.db.selectFrom('problem_events').selectAll().where('problem_id', '=', problemId).orderBy('seq').execute();
    return rows.map((r) => ({
      problemId: r.problem_id,
      actorId: r.actor_id,
      at: r.at,
      field: r.field,
      from: r.from_value,
      to: r.to_value,
      note: r.note,
    }));
  }

  /**
   * One prepared statement of fixed text (a ticket's card asks it for every new incident): the
   * item and the category are parameters, a missing one matching nothing.
   */
  async openProblemsMatching(ticket: Ticket, limit: number): Promise<ProblemCandidate[]> {
    const ci = ticket.configurationItemId ?? null;
    const category = ticket.category?.trim() || null;
    if (!ci && !category) return [];
    const { rows } = await sql<ProblemCandidate>`${sql.raw(PREPARED)}
      select p.ref, p.title from problems p
       where p.status in (${OPEN})
         and not exists (select 1 from problem_links l where l.ticket_id = ${ticket.id}::uuid)
         and (p.configuration_item_id = ${ci}::uuid
           or (lower(p.category) = lower(${category}::text) and (p.organisation_id is null or p.organisation_id = ${ticket.organisationId}::uuid)))
       order by (${ci}::uuid is not null and p.configuration_item_id is not distinct from ${ci}::uuid) desc, p.created_at desc, p.ref desc
       limit ${limit}`.execute(this.db);
    return rows;
  }

  async scanPatterns(since: Date, th: ScanThresholds): Promise<SuggestionCandidate[]> {
    // The window's incidents not already linked to an open problem: the rows every basis counts.
    const unlinked = sql`not exists (
        select 1 from problem_links l join problems p on p.id = l.problem_id
         where l.ticket_id = t.id and p.status in (${OPEN}))`;
    const suggestedSince = (basis: string, key: ReturnType<typeof sql>) =>
      sql`not exists (select 1 from problem_suggestions s where s.basis = ${basis} and s.key = ${key} and s.suggested_at >= ${since})`;

    const byItem = await sql<GroupRow>`
      select g.key::text as key, g.organisation_id, g.n, g.ids from (
        select t.configuration_item_id as key, min(t.organisation_id::text)::uuid as organisation_id, count(*)::int as n,
               (array_agg(t.id order by t.created_at desc))[1:${EVIDENCE_MAX}] as ids
          from tickets t
         where t.kind = 'incident' and t.created_at >= ${since} and t.configuration_item_id is not null and ${unlinked}
         group by t.configuration_item_id
        having count(*) >= ${th.incidents}) g
       where not exists (select 1 from problems p where p.configuration_item_id = g.key and p.status in (${OPEN}))
         and ${suggestedSince('ci', sql`g.key::text`)}
       order by g.n desc, g.key
       limit ${PER_BASIS_MAX}`.execute(this.db);

    // The items whose incidents are a pattern of their own (suggested by item, now or before) or an
    // open problem's: their incidents make no category pattern too, so one fault is not suggested twice.
    const byCategory = await sql<GroupRow & { category: string }>`
      with covered as materialized (
        select t.configuration_item_id as id from tickets t
         where t.kind = 'incident' and t.created_at >= ${since} and t.configuration_item_id is not null and ${unlinked}
         group by t.configuration_item_id having count(*) >= ${th.incidents}
        union
        select p.configuration_item_id from problems p where p.configuration_item_id is not null and p.status in (${OPEN}))
      select g.organisation_id::text || ':' || g.category as key, g.organisation_id, g.category, g.n, g.ids from (
        select t.organisation_id, lower(trim(t.category)) as category, count(*)::int as n,
               (array_agg(t.id order by t.created_at desc))[1:${EVIDENCE_MAX}] as ids
          from tickets t
         where t.kind = 'incident' and t.created_at >= ${since} and t.category is not null and trim(t.category) <> '' and ${unlinked}
           and not exists (select 1 from covered c where c.id = t.configuration_item_id)
         group by t.organisation_id, lower(trim(t.category))
        having count(*) >= ${th.incidents}) g
       where not exists (
               select 1 from problems p
                where lower(trim(p.category)) = g.category and p.organisation_id = g.organisation_id and p.status in (${OPEN}))
         and not exists (
               select 1 from problems p
                where lower(trim(p.category)) = g.category and p.organisation_id is null and p.status in (${OPEN}))
         and ${suggestedSince('category', sql`g.organisation_id::text || ':' || g.category`)}
       order by g.n desc, key
       limit ${PER_BASIS_MAX}`.execute(this.db);

    // An alert row is touched whenever it fires, repeats or is flagged: updated_at bounds the window.
    const byAlert = await sql<AlertGroupRow>`
      select g.* from (
        select al.fingerprint as key, min(al.organisation_id::text)::uuid as organisation_id,
               max(al.check_id) as check_id, max(al.target) as target,
               (array_agg(al.configuration_item_id) filter (where al.configuration_item_id is not null))[1] as configuration_item_id,
               (count(*) filter (where al.opened_at >= ${since}))::int as alerts,
               coalesce(sum(al.flaps), 0)::int as flaps,
               count(al.false_alarm_at)::int as false_alarms,
               (array_agg(al.incident_id order by al.opened_at desc) filter (where al.incident_id is not null))[1:${EVIDENCE_MAX}] as ids
          from alerts al
         where al.updated_at >= ${since}
         group by al.fingerprint
        having count(*) filter (where al.opened_at >= ${since}) >= ${th.alertRows} or coalesce(sum(al.flaps), 0) >= ${th.alertFlaps}) g
       where not exists (select 1 from problems p where p.configuration_item_id = g.configuration_item_id and p.status in (${OPEN}))
         and g.key not in (
               select a2.fingerprint from problems p
                 join problem_links l on l.problem_id = p.id
                 join alerts a2 on a2.incident_id = l.ticket_id
                where p.status in (${OPEN}))
         and ${suggestedSince('alert', sql`g.key`)}
       order by g.alerts + g.flaps desc, g.key
       limit ${PER_BASIS_MAX}`.execute(this.db);

    const incidents = await this.incidentsById([...byItem.rows, ...byCategory.rows, ...byAlert.rows].flatMap((r) => r.ids ?? []));
    const evidenceOf = (ids: string[] | null): SuggestedIncident[] => (ids ?? []).flatMap((id) => incidents.get(id) ?? []);
    return [
      ...byItem.rows.map(
        (r): SuggestionCandidate => ({
          basis: 'ci',
          key: r.key,
          organisationId: r.organisation_id,
          evidence: { basis: 'ci', configurationItemId: r.key, count: r.n, incidents: evidenceOf(r.ids) },
        }),
      ),
      ...byCategory.rows.map(
        (r): SuggestionCandidate => ({
          basis: 'category',
          key: r.key,
          organisationId: r.organisation_id,
          evidence: { basis: 'category', category: r.category, count: r.n, incidents: evidenceOf(r.ids) },
        }),
      ),
      ...byAlert.rows.map(
        (r): SuggestionCandidate => ({
          basis: 'alert',
          key: r.key,
          organisationId: r.organisation_id,
          evidence: {
            basis: 'alert',
            fingerprint: r.key,
            checkId: r.check_id,
            target: r.target,
            configurationItemId: r.configuration_item_id,
            alerts: r.alerts,
            flaps: r.flaps,
            falseAlarms: r.false_alarms,
            incidents: evidenceOf(r.ids),
          },
        }),
      ),
    ];
  }

  private async incidentsById(ids: readonly string[]): Promise<Map<string, SuggestedIncident>> {
    const out = new Map<string, SuggestedIncident>();
    if (ids.length === 0) return out;
    const rows = await this.db
      .selectFrom('tickets')
      .select(['id', 'ref', 'title', 'created_at'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    for (const r of rows) out.set(r.id, { ref: r.ref, title: r.title, createdAt: r.created_at.toISOString() });
    return out;
  }

  async insertSuggestion(s: SuggestionCandidate, since: Date, at: Date): Promise<ProblemSuggestion | undefined> {
    // Two workers scanning at once: the second waits here for the first's commit, then sees its row.
    await sql`select pg_advisory_xact_lock(hashtext(${`problem-suggestion:${s.basis}:${s.key}`}))`.execute(this.db);
    const recent = await this.db
      .selectFrom('problem_suggestions')
      .select('id')
      .where('basis', '=', s.basis)
      .where('key', '=', s.key)
      .where('suggested_at', '>=', since)
      .executeTakeFirst();
    if (recent) return undefined;
    const row = await this.db
      .insertInto('problem_suggestions')
      .values({
        basis: s.basis,
        key: s.key,
        organisation_id: s.organisationId,
        evidence: JSON.stringify(s.evidence),
        suggested_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSuggestion(row);
  }

  async lockSuggestion(id: string): Promise<ProblemSuggestion | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('problem_suggestions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return row && toSuggestion(row);
  }

  async setSuggestionProblem(id: string, problemId: string): Promise<void> {
    await this.db.updateTable('problem_suggestions').set({ problem_id: problemId }).where('id', '=', id).execute();
  }
}
