/**
 * Searching the community: questions, answers and articles, articles and accepted answers first,
 * Italian stemming and accents in PostgreSQL, synonyms here, misspellings corrected against the
 * vocabulary of what was ever written. Everything searched is public (visible questions and
 * answers, published articles): there is nothing an actor could see that they should not.
 */
import type { Repositories } from '../kernel/ports.ts';
import type { SearchHit, SearchKind } from './model.ts';
import type { SearchQuery } from './ports.ts';
import { correctable, queryIdeas, queryWords } from './search-query.ts';

export const SEARCH_KINDS: readonly SearchKind[] = ['question', 'answer', 'article'];

export interface SearchOptions {
  readonly only?: SearchQuery['only'];
  /**
   * Offered unasked (similar questions, deflection): the words of the text no post was ever
   * written with count against every match, so a message about something else finds nothing.
   * A search someone typed leaves them out instead.
   */
  readonly strict?: boolean;
  readonly kinds?: readonly SearchKind[];
  /** Results scoring below are dropped (0 keeps every match). */
  readonly minScore?: number;
  readonly limit?: number;
}

/**
 * How sure a match must be before it is offered unasked: to someone about to post a question
 * (`SIMILAR_MIN_SCORE`), or to a requester about to open a ticket (`DEFLECTION_MIN_SCORE`: most of the
 * message's ideas found in an article or accepted answer). Tuned on the labelled set
 * in test/fixtures/community-queries.ts (FIRST_MESSAGES: at 0.6 every solvable first message
 * gets its solution offered and no message about something else gets an offer).
 */
export const SIMILAR_MIN_SCORE = 0.5;
export const DEFLECTION_MIN_SCORE = 0.6;

/** The word groups a text searches with (synonyms, and spellings the vocabulary knows), and how many of its words no post has. */
export async function searchGroups(repos: Repositories, text: string): Promise<{ readonly groups: string[][]; readonly unknown: number }> {
  const words = queryWords(text);
  const unknown = correctable(words);
  const corrections = unknown.length
    ? await repos.community.closestWords(unknown)
    : new Map<string, { word: string; similarity: number }>();
  return queryIdeas(words, corrections);
}

/** The best matches for `text`, best first. */
export async function searchCommunity(repos: Repositories, text: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
  const { groups, unknown } = await searchGroups(repos, text);
  if (groups.length === 0) return [];
  return repos.community.search({
    groups,
    unmatched: opts.strict ? unknown : 0,
    kinds: opts.kinds ?? SEARCH_KINDS,
    only: opts.only ?? 'all',
    minScore: opts.minScore ?? 0,
    limit: opts.limit ?? 5,
  });
}
