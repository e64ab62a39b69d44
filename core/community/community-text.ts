/**
 * Text rules of the community: limits, titles taken from what was written, and the two
 * treatments user text gets before anyone else reads it — in shared channels no mention of any
 * kind (not even a single `@name`), and in articles no organisation, person, e-mail or phone.
 */
import { DomainError } from '../kernel/errors.ts';
import { excerpt, neutralizeMentions, redactPersonalDetails } from '../kernel/sanitize.ts';

export const QUESTION_MIN = 10;
export const QUESTION_MAX = 2000;
export const ANSWER_MAX = 4000;
export const ANNOUNCEMENT_MAX = 1500;
export const FEEDBACK_MAX = 500;
export const REASON_MAX = 300;
export const TITLE_MAX = 120;
export const TAGS_MAX = 8;

/** The trimmed text, or `text_empty` / `text_too_long` naming the field. */
export function requireText(text: string, field: string, max: number, min = 1): string {
  const t = text.trim();
  if (t.length === 0 || t.length < min) throw new DomainError('text_empty', { field });
  if (t.length > max) throw new DomainError('text_too_long', { field, max, n: t.length });
  return t;
}

/**
 * A title from the first words: the first clause when it says enough (three words or more),
 * else the first sentence, cut at a word boundary.
 */
export function titleFrom(text: string, max = TITLE_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentence = flat.split(/(?<=[.!?])\s|\n/)[0] ?? flat;
  const clause = sentence.split(/[,;:]\s/)[0] ?? sentence;
  const pick = (clause.split(' ').length >= 3 ? clause : sentence).replace(/[.!?,;:]+$/, '').trim();
  if (pick.length <= max) return pick;
  const cut = pick.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const ZWSP = '\u200b';

/**
 * For a shared channel, on every platform at once: mass mentions and Slack/Discord mention
 * syntax broken (kernel's `neutralizeMentions`), and every `@name` too — a question relayed
 * from Slack must not ping a Telegram user who happens to have that username.
 */
export function neutralizeAllMentions(text: string): string {
  return neutralizeMentions(text).replace(/@(?=[\p{L}\p{N}_])/gu, `@${ZWSP}`);
}

/** User text shown in a channel: personal details masked, no mentions, bounded. */
export function forCommunity(text: string, max: number): string {
  return excerpt(neutralizeAllMentions(redactPersonalDetails(text)), max);
}

/** Like `forCommunity`, keeping line breaks (a question or an answer read in full). */
export function forCommunityFull(text: string, max: number): string {
  const masked = neutralizeAllMentions(redactPersonalDetails(text.trim()));
  return masked.length <= max ? masked : `${masked.slice(0, max - 1).trimEnd()}…`;
}

/** Words of organisation names that say what kind of body it is, not which one. */
const LEGAL_FORMS: ReadonlySet<string> = new Set([
  'associazione',
  'cooperativa',
  'sociale',
  'onlus',
  'fondazione',
  'comitato',
  'impresa',
  'societa',
  'società',
  'circolo',
  'volontariato',
  'promozione',
]);

/**
 * For a knowledge base article: e-mails and phones masked, and the organisation's and the
 * people's names (whole names and each part of three letters or more) replaced, whole words,
 * any case.
 */
export function anonymize(text: string, names: { readonly organisations: readonly string[]; readonly people: readonly string[] }): string {
  let out = redactPersonalDetails(text);
  const replaceAll = (list: readonly string[], mask: string) => {
    // Longest first, so "Anna Romano" goes before "Anna".
    for (const name of [...new Set(list)].filter((n) => n.trim().length >= 3).sort((a, b) => b.length - a.length)) {
      const escaped = name
        .trim()
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\s+/g, '\\s+');
      out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'), mask);
    }
  };
  // The whole name, and its distinctive words ("Girasole" of "Associazione Il Girasole ODV").
  replaceAll(
    [
      ...names.organisations,
      ...names.organisations.flatMap((o) => o.split(/\s+/).filter((w) => w.length >= 4 && !LEGAL_FORMS.has(w.toLowerCase()))),
    ],
    '[ente]',
  );
  const parts = names.people.flatMap((p) => [p, ...p.split(/\s+/)]);
  replaceAll(parts, '[persona]');
  return neutralizeAllMentions(out);
}

/** Tags as typed (`#stampante`, `rete`): folded to `[a-z0-9-]`, at most `TAGS_MAX`, each once. */
export function normalizeTags(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const tag = w
      .replace(/^#/, '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '')
      .slice(0, 30);
    if (tag && !out.includes(tag) && out.length < TAGS_MAX) out.push(tag);
  }
  return out;
}
