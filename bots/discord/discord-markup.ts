/**
 * Discord markdown and mention escaping for text the core hands us (which often contains what
 * users typed). Discord has no "plain text" message mode, so every string is escaped before it
 * is rendered; `allowed_mentions: { parse: [] }` on every request is the second lock.
 */

const ZWSP = '\u200b';

// Characters Discord's markdown reacts to anywhere in a line: emphasis, strike, spoiler, code,
// masked links, and `<` which opens every mention form (<@id>, <@&role>, <#channel>, <t:…>, </cmd:id>).
const INLINE = /[\\*_~`|[\]<>]/g;
// Block syntax only counts at the start of a line: headings, subtext (-#), lists, quotes.
const LINE_START = /^([ \t]*)(#{1,3}|-#?|\+)(?=[ \t])/gm;
const ORDERED_LIST = /^([ \t]*\d+)\.(?=[ \t])/gm;
// Links stay clickable: a backslash inside a URL would become part of the link target.
const URL = /https?:\/\/[A-Za-z0-9\-._~:/?#@!$&'()+,;=%]+/g;

function escapeOutsideUrls(text: string): string {
  return text.replace(INLINE, (c) => `\\${c}`);
}

/**
 * Escapes `text` so Discord shows it literally: markdown is neutralised, every `<…>` mention
 * form is shown raw, `@everyone` / `@here` are broken with a zero-width space. Line breaks stay.
 */
export function escapeDiscord(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL)) {
    out += escapeOutsideUrls(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  out += escapeOutsideUrls(text.slice(last));
  return out
    .replace(LINE_START, (_, space: string, mark: string) => `${space}\\${mark}`)
    .replace(ORDERED_LIST, '$1\\.')
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`);
}

/** `text` cut to `max` characters with an ellipsis, never ending on a dangling escape. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  // An odd run of trailing backslashes would escape the ellipsis (or leave a half escape).
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}
