/**
 * The community's search on PostgreSQL: the statements that rebuild `community_search` rows from
 * the questions, answers and articles (one definition of what is searchable, used after every
 * change and, over everything, by the benchmark's bulk load), the vocabulary for spelling
 * correction, and the ranked query.
 */
import { CompiledQuery, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { SearchHit, SearchKind } from '../core/community/model.ts';
import type { SearchQuery } from '../core/community/ports.ts';
import type { CommunitySearchTable, CommunityTables } from './community.tables.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database & CommunityTables>;

/** Title and tags weigh most (A), an answer's body next (B), its question's body least (C). */
const weighted = (title: RawBuilder<unknown>, tags: RawBuilder<unknown>, body: RawBuilder<unknown>, context?: RawBuilder<unknown>) => sql`
  setweight(to_tsvector('sportello_it', ${title} || ' ' || array_to_string(${tags}, ' ')), 'A')
  || setweight(to_tsvector('sportello_it', ${body}), 'B')
  ${context ? sql`|| setweight(to_tsvector('sportello_it', ${context}), 'C')` : sql``}`;

/**
 * Rebuilds the rows of the questions `where` selects (`q` is the question) and of their answers:
 * visible questions (not hidden, not merged) and their visible answers.
 */
async function rebuildQuestions(db: Db, where: RawBuilder<unknown>): Promise<void> {
  await sql`delete from community_search s using community_questions q where s.root_ref = q.ref and ${where}`.execute(db);
  await sql`
    insert into community_search (ref, kind, root_ref, title, body, tags, accepted, answered, useful, tsv, created_at)
    select q.ref, 'question', q.ref, q.title, q.body, q.tags,
      exists (select 1 from community_answers a where a.question_id = q.id and a.hidden_at is null and a.accepted_at is not null),
      exists (select 1 from community_answers a where a.question_id = q.id and a.hidden_at is null),
      0, ${weighted(sql`q.title`, sql`q.tags`, sql`q.body`)}, q.created_at
    from community_questions q
    where q.hidden_at is null and q.merged_into_id is null and ${where}
    union all
    select a.ref, 'answer', q.ref, q.title, a.body, q.tags, a.accepted_at is not null, true, a.useful_count,
      ${weighted(sql`q.title`, sql`q.tags`, sql`a.body`, sql`q.body`)}, a.created_at
    from community_answers a join community_questions q on q.id = a.question_id
    where a.hidden_at is null and q.hidden_at is null and q.merged_into_id is null and ${where}`.execute(db);
  await rememberWords(db, sql`s.root_ref in (select q.ref from community_questions q where ${where})`);
}

/** Rebuilds the rows of the articles `where` selects (`k` is the article): published and not hidden. */
async function rebuildArticles(db: Db, where: RawBuilder<unknown>): Promise<void> {
  await sql`delete from community_search s using kb_articles k where s.ref = k.ref and ${where}`.execute(db);
  await sql`
    insert into community_search (ref, kind, root_ref, title, body, tags, accepted, answered, useful, tsv, created_at)
    select k.ref, 'article', k.ref, k.title, k.body, k.tags, true, true, 0, ${weighted(sql`k.title`, sql`k.tags`, sql`k.body`)}, k.created_at
    from kb_articles k
    where k.status = 'published' and k.hidden_at is null and ${where}`.execute(db);
  await rememberWords(db, sql`s.ref in (select k.ref from kb_articles k where ${where})`);
}

/** Adds the words of the rows `where` selects (`s`) to the vocabulary misspellings are corrected against. */
async function rememberWords(db: Db, where: RawBuilder<unknown>): Promise<void> {
  await sql`
    insert into community_words (word)
    select distinct w from community_search s,
      regexp_split_to_table(lower(unaccent(s.title || ' ' || s.body)), '[^a-z0-9]+') w
    where length(w) between 4 and 30 and w !~ '[0-9]' and ${where}
    on conflict do nothing`.execute(db);
}

type ClosestWordRow = { tok: string; word: string | null; similarity: number | null };

/**
 * The closest word of the vocabulary to each of $1 (text[]): `%` uses the trigram index; among
 * the candidates the most similar wins (the shorter on a tie). Prepared (a fixed text): its plan
 * depends on no value of the words, so the one PostgreSQL keeps is the plan it would make for any.
 */
const CLOSEST_WORDS = `${PREPARED} select t.tok, c.word, c.similarity
  from unnest($1::text[]) t(tok)
  left join lateral (
    select w.word, similarity(w.word, t.tok) as similarity from community_words w
    where w.word % t.tok order by similarity(w.word, t.tok) desc, length(w.word), w.word limit 1
  ) c on true`;

export const SearchIndex = {
  question: (db: Db, questionId: string) => rebuildQuestions(db, sql`q.id = ${questionId}`),
  article: (db: Db, articleId: string) => rebuildArticles(db, sql`k.id = ${articleId}`),
  /** Everything (the benchmark's bulk load, a repair). */
  async all(db: Db): Promise<void> {
    await rebuildQuestions(db, sql`true`);
    await rebuildArticles(db, sql`true`);
  },

  async closestWords(db: Db, words: readonly string[]): Promise<Map<string, { word: string; similarity: number }>> {
    const out = new Map<string, { word: string; similarity: number }>();
    if (words.length === 0) return out;
    const { rows } = await db.executeQuery(CompiledQuery.raw(CLOSEST_WORDS, [[...words]]) as CompiledQuery<ClosestWordRow>);
    for (const r of rows) if (r.word !== null && r.similarity !== null) out.set(r.tok, { word: r.word, similarity: r.similarity });
    return out;
  },

  /**
   * Ranks rows by the share of the query's groups they cover (3/4 of the score) and their text
   * rank (1/4), times what they are worth: articles and accepted answers most, then answers by
   * their votes, answered questions, other questions. A question and its answers count once, by
   * their best row.
   *
   * Ranking every row that shares one word with the query costs seconds at 100,000 posts (a
   * common word matches a fifth of them), so candidates come in tiers: the rows covering all the
   * groups (one GIN lookup of their AND), then all but one, and so on down, each tier at most
   * `TIER_CANDIDATES` rows; the search stops as soon as it has enough results, or when no row of
   * the next tier could score `minScore`.
   */
  async search(db: Db, q: SearchQuery): Promise<SearchHit[]> {
    const groups = q.groups.map((g) => g.filter((w) => /^[a-z0-9]+$/.test(w)).join(' | ')).filter((g) => g !== '');
    if (groups.length === 0 || q.kinds.length === 0) return [];
    // The share of ideas a row can cover counts those no post has (`unmatched`) too.
    const n = groups.length + q.unmatched;
    const best = new Map<string, SearchHit & { readonly created: number }>();
    for (let k = groups.length; k >= 1; k--) {
      if (k > 1 && binomial(groups.length, k) > MAX_TIER_COMBINATIONS) continue;
      if ((0.75 * (k / n) + 0.25) * TOP_BOOST < q.minScore) break;
      // Rows sharing under half the query's ideas only fill an empty list: they are weak
      // matches, and a common word alone matches a large share of the posts.
      if (k < groups.length / 2 && best.size > 0) break;
      for (const hit of await tier(db, q, groups, k, q.unmatched)) {
        const seen = best.get(hit.rootRef);
        if (!seen || hit.score > seen.score) best.set(hit.rootRef, hit);
      }
      if ([...best.values()].filter((h) => h.score >= q.minScore).length >= q.limit) break;
    }
    return [...best.values()]
      .filter((h) => h.score >= q.minScore)
      .sort((a, b) => b.score - a.score || b.created - a.created)
      .slice(0, q.limit)
      .map(({ created: _created, ...hit }) => hit);
  },
};

/** Candidates scored per tier: enough to rank well, few enough to stay within milliseconds. */
const TIER_CANDIDATES = 120;
/** Rows of a tier read to pick those candidates by the cheap rank (a larger tier is cut where the scan is). */
const TIER_SCAN = 500;
/** A tier whose AND-combinations would be more than this is skipped (a long text goes from "all but two" to "any two"). */
const MAX_TIER_COMBINATIONS = 64;
/** The largest worth factor (articles, accepted answers). */
const TOP_BOOST = 1.25;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Every way of choosing `k` of `n` indices, in order. */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push(acc);
    for (let i = start; i <= n - (k - acc.length); i++) pick(i + 1, [...acc, i]);
  };
  pick(0, []);
  return out;
}

/** A tier's row: the search row's columns it selects, and its score. */
type TierRow = Pick<
  Selectable<CommunitySearchTable>,
  'kind' | 'ref' | 'root_ref' | 'title' | 'body' | 'tags' | 'accepted' | 'answered' | 'created_at'
> & { score: number };

/** A tier's statement text by its shape (groups, ranked or not, `only`, kinds): built once, then only its parameters change. */
const tierTexts = new Map<string, string>();

/**
 * The tier statement for `groupCount` groups: $1 the tier's tsquery text (its groups' AND
 * combinations), $2 any group, $3 the groups (text[]), $4 the ideas no post has; the kinds are
 * written into the text. Prepared: planning it cost more than running it (~0.4 ms of the server's
 * CPU a call unprepared, ~0.1 prepared). The plan PostgreSQL keeps for it (a generic one, without the
 * parameters' values) is the plan it makes with them: the words only reach the rows through the
 * materialized `p`, whose values no plan can see, and the limits are literals, not parameters (a
 * generic plan takes a parameter limit for a tenth of the rows).
 */
function tierText(groupCount: number, ordered: boolean, only: SearchQuery['only'], kinds: readonly SearchKind[]): string {
  const key = `${groupCount}:${ordered}:${only}:${kinds.join(',')}`;
  let text = tierTexts.get(key);
  if (text !== undefined) return text;
  // The kinds are the code's own words (`SearchKind`), never the user's: written into the text.
  const kindList = kinds.map((k) => {
    if (!/^[a-z]+$/.test(k)) throw new Error(`not a search kind: ${k}`);
    return `'${k}'`;
  });
  const filter = `s.kind in (${kindList.join(', ')}) ${
    only === 'answered'
      ? `and (s.kind <> 'question' or s.answered)`
      : only === 'solutions'
        ? `and (s.kind = 'article' or (s.kind = 'answer' and s.accepted))`
        : ''
  }`;
  // A lone idea is ranked when it is the whole query; as the fallback of a longer one it is not.
  const order = ordered ? `order by ts_rank('{0.1, 0.2, 0.4, 1.0}', x.tsv, p.qt) desc` : '';
  // One term per group, summed per row: cheaper than a subquery over an array of groups.
  const covered = Array.from({ length: groupCount }, (_, i) => `(c.tsv @@ p.gs[${i + 1}])::int`).join(' + ');
  const branch = (accepted: string) =>
    `(select x.* from (select s.* from community_search s, p where s.tsv @@ p.qt and ${accepted} and ${filter} limit ${TIER_SCAN}) x, p ${order} limit ${TIER_CANDIDATES / 2})`;
  text = `${PREPARED}
    with p as materialized (
      select to_tsquery('sportello_it', $1) as qt, to_tsquery('sportello_it', $2) as qany,
        array(select to_tsquery('sportello_it', g) from unnest($3::text[]) with ordinality as u(g, i) order by i) as gs
    ), n as (
      select greatest(1, $4 + (select count(*) from unnest(p.gs) g where numnode(g) > 0))::real as groups from p
    ), c as (
      -- Articles and accepted rows (their own partial index), then the rest: of the first
      -- TIER_SCAN rows of each, the best by the cheap rank (ts_rank; ts_rank_cd, dearer, only
      -- scores the candidates kept).
      ${branch('s.accepted')}
      ${only === 'solutions' ? '' : `union all ${branch('not s.accepted')}`}
    )
    select c.kind, c.ref, c.root_ref, c.title, c.body, c.tags, c.accepted, c.answered, c.created_at,
      ((0.75 * (${covered}) / n.groups + 0.25 * ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.tsv, p.qany, 32))
       * case
           when c.kind = 'article' or (c.kind = 'answer' and c.accepted) then ${TOP_BOOST}
           when c.kind = 'answer' then 1.05 + 0.01 * least(c.useful, 10)
           when c.answered then 1.05
           else 1.0
         end)::real as score
    from c, p, n`;
  tierTexts.set(key, text);
  return text;
}

/** The scored rows (at most `TIER_CANDIDATES`) that cover at least `k` of the groups. */
async function tier(
  db: Db,
  q: SearchQuery,
  groups: readonly string[],
  k: number,
  unmatched: number,
): Promise<(SearchHit & { created: number })[]> {
  const tierQuery = combinations(groups.length, k)
    .map((c) => c.map((i) => `(${groups[i]})`).join(' & '))
    .join(' | ');
  const any = groups.map((g) => `(${g})`).join(' | ');
  const text = tierText(groups.length, k > 1 || groups.length === 1, q.only, q.kinds);
  const query = CompiledQuery.raw(text, [tierQuery, any, [...groups], unmatched]) as CompiledQuery<TierRow>;
  const { rows } = await db.executeQuery(query);
  return rows.map((r) => ({
    kind: r.kind,
    ref: r.ref,
    rootRef: r.root_ref,
    title: r.title,
    body: r.body,
    tags: r.tags,
    accepted: r.accepted,
    answered: r.answered,
    score: Math.round(Math.min(r.score, 9.999) * 1000) / 1000,
    created: r.created_at.getTime(),
  }));
}
