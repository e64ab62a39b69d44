/**
 * From what someone typed to the word groups PostgreSQL searches with: folded (no accents, lower
 * case, `[a-z0-9]` only, so nothing typed can become tsquery syntax), phrases joined, stop words
 * dropped, each word grouped with its synonyms and, once the vocabulary answered, with the
 * spelling it probably meant.
 */
import { PHRASES, STOPWORDS, SYNONYM_GROUPS } from './synonyms.ts';

/** At most this many ideas per query: a long first message still searches by its main words. */
export const MAX_GROUPS = 10;
/** Words shorter than this are never spell-corrected ("pc" is not a typo of "pec"). */
export const MIN_CORRECTABLE = 4;
/** How close a vocabulary word must be (pg_trgm similarity) to stand in for a misspelt one. */
export const MIN_SIMILARITY = 0.45;

/**
 * Words compared without their last vowel, so an Italian plural or gender finds its group
 * ("stampanti", "videochiamate", "ricondizionati").
 */
const stemKey = (w: string): string => (w.length > 4 ? w.replace(/[aeiou]$/, '') : w);

const SYNONYMS = new Map<string, readonly string[]>();
for (const group of SYNONYM_GROUPS) for (const w of group) SYNONYMS.set(stemKey(w), group);

/** Lower case, accents removed, "e-mail" as "e mail", anything but letters and digits a space. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The query's meaningful words, in order, each once (phrases joined first). */
export function queryWords(text: string): string[] {
  let folded = ` ${foldText(text)} `;
  for (const [phrase, word] of PHRASES) folded = folded.replace(phrase, word);
  const out: string[] = [];
  for (const w of folded.split(' ')) {
    if (w.length < 2 || w.length > 40 || STOPWORDS.has(w) || /^\d+$/.test(w) || out.includes(w)) continue;
    out.push(w);
  }
  return out;
}

/** The word and its synonyms (the word itself first when it is not in the list as it is). */
export function synonymsOf(word: string): readonly string[] {
  const group = SYNONYMS.get(stemKey(word));
  return group ? (group.includes(word) ? group : [word, ...group]) : [word];
}

/** Whether the synonym list knows the word (it needs no spelling correction then). */
export function isKnownWord(word: string): boolean {
  return SYNONYMS.has(stemKey(word));
}

/** The words worth asking the vocabulary about: long enough and not already known. */
export function correctable(words: readonly string[]): string[] {
  return words.filter((w) => w.length >= MIN_CORRECTABLE && !isKnownWord(w) && !/\d/.test(w));
}

/**
 * One group per idea: the word, its synonyms, and the vocabulary's spelling when the word
 * itself is unknown there (with that spelling's synonyms). Two words of one synonym group make
 * one idea ("posta email" is one), and at most `MAX_GROUPS` ideas are kept.
 *
 * With `corrections` (the vocabulary's answer for the `correctable` words), a word nothing was
 * ever written with, nor anything close to it, is left out: no post can match it, and counting
 * it would only make every post look less relevant ("niente", "lunedì" in a first message).
 */
export function wordGroups(
  words: readonly string[],
  corrections?: ReadonlyMap<string, { readonly word: string; readonly similarity: number }>,
): string[][] {
  return queryIdeas(words, corrections).groups;
}

/** `wordGroups`, and how many of the ideas were left out because no post can match them. */
export function queryIdeas(
  words: readonly string[],
  corrections?: ReadonlyMap<string, { readonly word: string; readonly similarity: number }>,
): { readonly groups: string[][]; readonly unknown: number } {
  const groups: string[][] = [];
  let unknown = 0;
  const asked = new Set(corrections ? correctable(words) : []);
  for (const w of words) {
    const alternatives = new Set(synonymsOf(w));
    const c = corrections?.get(w);
    if (asked.has(w) && (!c || c.similarity < MIN_SIMILARITY)) {
      unknown++;
      continue;
    }
    if (c && c.word !== w && c.similarity >= MIN_SIMILARITY) for (const s of synonymsOf(c.word)) alternatives.add(s);
    const same = groups.find((g) => g.some((x) => alternatives.has(x)));
    if (same) {
      for (const a of alternatives) if (!same.includes(a)) same.push(a);
      continue;
    }
    if (groups.length < MAX_GROUPS) groups.push([...alternatives]);
  }
  return { groups, unknown };
}

/** Tags for a text: the first word of each synonym group it mentions (at most `max`). */
export function topicTags(text: string, max = 5): string[] {
  const words = new Set(queryWords(text));
  const tags: string[] = [];
  for (const group of SYNONYM_GROUPS) {
    if (tags.length >= max) break;
    if (group.some((w) => words.has(w))) tags.push(group[0] as string);
  }
  return tags;
}
