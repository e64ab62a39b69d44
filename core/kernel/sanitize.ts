/**
 * Text from users is echoed into shared channels. Adapters escape each platform's markup; this
 * is the platform-neutral layer under it: broadcast words lose their power (`@everyone`,
 * `@here`, `@channel`, Slack's `<!here>` forms) and personal details are masked in cards.
 */

const ZWSP = '\u200b';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text and jsonb refuse NUL and unpaired surrogates (a NUL byte from a broken client,
 * an emoji cut in half): each becomes U+FFFD, so such input is stored, never refused for ever.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** Breaks mass mentions and raw Slack control sequences so no platform can ping with them. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here|channel|all)\b/gi, `@${ZWSP}$1`).replace(/<([!@#])/g, `<${ZWSP}$1`);
}

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
// Italian and international phone numbers: +39 333 1234567, 02-1234567, 3331234567 …
const PHONE = /(\+\d{1,3}[\s.-]?)?(\(?\d{2,4}\)?[\s.-]?){2,4}\d{3,4}/g;

// Dates (12.03.2026, 12/03/2026) and year ranges (2025-2026) look like numbers but are not phones.
const NOT_PHONE = /^(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}\s?[-/]\s?\d{4})$/;

/**
 * Platform tokens that carry long numeric ids but are no personal details: Discord's user, role
 * and channel mentions (`<@1180…>`, `<@!…>`, `<@&…>`, `<#…>`), custom emoji, timestamps and
 * command mentions; Slack's `<@U…>`, `<#C…|name>` and `<!subteam^…>`. Left as they are.
 */
const PLATFORM_TOKEN =
  /(<(?:@[!&]?\d{15,21}|#\d{15,21}|a?:\w{1,32}:\d{15,21}|t:-?\d{1,15}(?::[tTdDfFR])?|\/[\w -]{1,64}:\d{15,21}|[@#][A-Z][A-Z0-9]{2,30}(?:\|[^<>]{0,80})?|!subteam\^[A-Z0-9]{2,30}(?:\|[^<>]{0,80})?)>)/;

/** Masks e-mail addresses and phone numbers (for cards shown in shared channels); platform mention tokens stay. */
export function redactPersonalDetails(text: string): string {
  // split with a capturing group: odd indexes are the tokens.
  return text
    .split(PLATFORM_TOKEN)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(EMAIL, '[email]')
            .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 && !NOT_PHONE.test(m.trim()) ? '[tel]' : m)),
    )
    .join('');
}

/** First `max` characters on one line, with an ellipsis when cut. */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** For shared channels: no mass mentions, no personal details, bounded length. */
export function forChannel(text: string, max = 280): string {
  // Mask before cutting, so a cut through an address or number cannot leave a fragment behind.
  return excerpt(neutralizeMentions(redactPersonalDetails(text)), max);
}
