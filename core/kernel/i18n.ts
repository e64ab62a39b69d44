import { en } from './catalog.en.ts';
import { it } from './catalog.it.ts';

export const LOCALES = ['it', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof it;

const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { it, en };

export function isLocale(s: unknown): s is Locale {
  return s === 'it' || s === 'en';
}

/** Maps a platform locale such as "en-US" or "it_IT" to one we ship; undefined if none fits. */
export function toLocale(s: string | null | undefined): Locale | undefined {
  const base = s?.slice(0, 2).toLowerCase();
  return isLocale(base) ? base : undefined;
}

/** The message for `key` in `locale` with `{name}` placeholders filled from `params`. */
export function t(locale: Locale, key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  const template = CATALOGS[locale][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** Whether a (computed) key exists, so callers can fall back instead of showing the key. */
export function catalogHas(key: string): key is MessageKey {
  return Object.hasOwn(it, key);
}

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(CATALOGS[locale]);
}
