/**
 * Catalogue search in PostgreSQL: the offers' `search` column is a tsvector in `catalogue_it`
 * (Italian stemming with accents folded: "configurazione" finds "configurare", "sicurezza" finds
 * "sicurezzà"), queried with the words OR-ed so an offer matching some words still shows, ranked
 * by how many and how well (`ts_rank_cd`); a trigram similarity on the folded title catches
 * typos ("bakcup"). Only offers of vendors certified at `now` are returned: a lapsed, suspended or
 * revoked vendor's offers are hidden at once.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OfferHit } from '../core/vendors/ports.ts';
import type { Database } from './schema.ts';
import type { VendorOffersTable, VendorTables } from './vendor.tables.ts';
import { toOffer, toVendor } from './vendor-rows.ts';

/** How close a misspelt query word must be to the title (pg_trgm's word similarity, 0–1). */
const TYPO_SIMILARITY = 0.5;

export async function searchOffers(db: Kysely<Database & VendorTables>, query: string, now: Date, limit: number): Promise<OfferHit[]> {
  const { rows } = await sql<Selectable<VendorOffersTable> & { rank: number }>`
    with q as (
      select to_tsquery('catalogue_it', replace(websearch_to_tsquery('catalogue_it', ${query})::text, ' & ', ' | ')) as ts,
             -- The query's words of four letters or more, each compared with the title on its own.
             array(select w from regexp_split_to_table(catalogue_fold(${query}), '[^a-z0-9]+') w where length(w) >= 4) as words
    ), scored as (
      select o.*, ts_rank_cd(o.search, q.ts) as text_rank, o.search @@ q.ts as matches,
             coalesce((select max(word_similarity(w, catalogue_fold(o.title))) from unnest(q.words) w), 0) as typo
      from vendor_offers o
      join vendors v on v.id = o.vendor_id
      cross join q
      where o.withdrawn_at is null and v.status = 'certified' and v.certified_until > ${now}
    )
    select scored.*, (text_rank + 0.5 * typo)::float8 as rank
    from scored
    where matches or typo >= ${TYPO_SIMILARITY}
    order by rank desc, created_at desc, ref
    limit ${limit}`.execute(db);
  if (rows.length === 0) return [];
  const vendors = new Map(
    (
      await db
        .selectFrom('vendors')
        .selectAll()
        .where('id', 'in', [...new Set(rows.map((r) => r.vendor_id))])
        .execute()
    ).map((v) => [v.id, toVendor(v)]),
  );
  return rows.flatMap((r) => {
    const vendor = vendors.get(r.vendor_id);
    return vendor ? [{ offer: toOffer(r), vendor, rank: r.rank }] : [];
  });
}
