/**
 * The neutral `OutMessage` as a Telegram message in HTML parse mode: a bold title, the text,
 * `<b>label</b>: value` field lines, and an inline keyboard for buttons and select options.
 * Every string from the core is escaped; the only tags are the ones written here.
 */
import type { OutMessage } from '../../core/kernel/message.ts';

/** Telegram's limit on a message's text, counted after the HTML is parsed. */
export const TELEGRAM_TEXT_MAX = 4096;

export interface InlineButton {
  readonly text: string;
  readonly callback_data: string;
}

export interface InlineKeyboard {
  readonly inline_keyboard: InlineButton[][];
}

export interface RenderedMessage {
  /** HTML for `parse_mode: 'HTML'`. */
  readonly text: string;
  readonly reply_markup?: InlineKeyboard;
}

/** Builds a button's `callback_data` (see callback-data.ts). */
export type EncodeAction = (actionId: string, value: string) => Promise<string>;

/** Escapes the three characters Telegram's HTML parse mode interprets. */
export function escapeHtml(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Telegram turns a plain `@username` into a live mention that notifies that user; a
      // zero-width space keeps it readable and inert.
      .replace(/@(?=\w)/g, '@\u200b')
  );
}

/** A run of user-visible text: `sep` is literal (newlines, ": "), `text` is escaped and maybe wrapped. */
interface Segment {
  readonly sep: string;
  text: string;
  readonly tag?: 'b' | 'i';
}

const visibleLength = (segs: readonly Segment[]): number => segs.reduce((n, s) => n + s.sep.length + s.text.length, 0);

function cut(text: string, length: number): string {
  // Never leave half a surrogate pair behind.
  const head = text.slice(0, Math.max(0, length)).replace(/[\uD800-\uDBFF]$/, '');
  return `${head.trimEnd()}…`;
}

/** Shortens the longest segments until the visible text fits Telegram's limit. */
function fit(segs: Segment[]): void {
  for (let over = visibleLength(segs) - TELEGRAM_TEXT_MAX; over > 0; over = visibleLength(segs) - TELEGRAM_TEXT_MAX) {
    const longest = segs.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    longest.text = cut(longest.text, longest.text.length - over - 1);
  }
}

function segments(m: OutMessage): Segment[] {
  const segs: Segment[] = [];
  const push = (sep: string, text: string, tag?: 'b' | 'i') => segs.push({ sep: segs.length ? sep : '', text, ...(tag ? { tag } : {}) });
  if (m.title) push('\n', m.title, 'b');
  if (m.text) push('\n', m.text);
  if (m.select?.placeholder) push('\n', m.select.placeholder, 'i');
  (m.fields ?? []).forEach((f, i) => {
    push(i === 0 ? '\n\n' : '\n', f.label, 'b');
    segs.push({ sep: ': ', text: f.value });
  });
  return segs;
}

/** The message's HTML text (no keyboard). */
export function renderHtml(m: OutMessage): string {
  const segs = segments(m);
  fit(segs);
  const html = segs.map((s) => s.sep + (s.tag ? `<${s.tag}>${escapeHtml(s.text)}</${s.tag}>` : escapeHtml(s.text))).join('');
  // Telegram has no @here: a wider announcement is marked so it stands out in the group.
  return m.mention === 'here' ? `<b>📣</b> ${html}` : html;
}

/** Packs buttons into rows: up to three a row while their labels stay short enough to read. */
export function layoutRows<T extends { readonly text: string }>(buttons: readonly T[], maxPerRow = 3, maxRowChars = 30): T[][] {
  const rows: T[][] = [];
  let row: T[] = [];
  let chars = 0;
  for (const b of buttons) {
    if (row.length > 0 && (row.length >= maxPerRow || chars + b.text.length > maxRowChars)) {
      rows.push(row);
      row = [];
      chars = 0;
    }
    row.push(b);
    chars += b.text.length;
  }
  if (row.length) rows.push(row);
  return rows;
}

/** The full Telegram message: HTML text plus an inline keyboard when there is anything to press. */
export async function renderMessage(m: OutMessage, encode: EncodeAction): Promise<RenderedMessage> {
  const choices = [
    ...(m.buttons ?? []).map((b) => ({ label: b.label, actionId: b.actionId, value: b.value })),
    ...(m.select?.options ?? []).map((o) => ({ label: o.label, actionId: m.select!.actionId, value: o.value })),
  ];
  const buttons = await Promise.all(choices.map(async (c) => ({ text: c.label, callback_data: await encode(c.actionId, c.value) })));
  const text = renderHtml(m);
  return buttons.length ? { text, reply_markup: { inline_keyboard: layoutRows(buttons) } } : { text };
}
