export const LOCALES = ['it', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(s: unknown): s is Locale {
  return s === 'it' || s === 'en';
}

/** Maps a platform locale such as "en-US" or "it_IT" to one we ship; undefined if none fits. */
export function toLocale(s: string | null | undefined): Locale | undefined {
  const base = s?.slice(0, 2).toLowerCase();
  return isLocale(base) ? base : undefined;
}

/** Text in the reader's language, computed when the language is known. */
export type Text = (l: Locale) => string;
export type Params = Readonly<Record<string, string | number>>;

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** The command names a catalog has a `help.<name>` line for. */
export type HelpName<K extends string> = K extends `help.${infer N}` ? N : never;

/** A feature's catalog pair: `en` must hold exactly the keys of `it` (the type checks it). */
export interface Messages<K extends string> {
  readonly it: Readonly<Record<K, string>>;
  readonly en: Readonly<Record<K, string>>;
}

/**
 * A feature's own messages: `t(locale, key, params)` typed on its keys, and `text(key, params)`
 * for a `Text` filled in later in the reader's language.
 *
 * @example
 * const m = defineMessages(it, en); // en: Record<keyof typeof it, string>
 * turn.say(m.t(turn.locale, 'ok.claimed', { ref }));
 */
export function defineMessages<K extends string>(it: Readonly<Record<K, string>>, en: NoInfer<Readonly<Record<K, string>>>) {
  const catalogs: Messages<K> = { it, en };
  const t = (l: Locale, key: K, params: Params = {}): string => fill(catalogs[l][key] ?? key, params);
  const text =
    (key: K, params: Params = {}): Text =>
    (l) =>
      t(l, key, params);
  const has = (key: string): key is K => Object.hasOwn(it, key);
  /** A command's `help` line and `menu` description, from the keys `help.<name>` and `menu.<name>`. */
  const helpOf = (name: HelpName<K>): { help: Text; menu?: Text } => {
    const menuKey = `menu.${name}`;
    return { help: text(`help.${name}` as K), ...(has(menuKey) ? { menu: text(menuKey) } : {}) };
  };
  return { t, text, has, helpOf, catalogs };
}
