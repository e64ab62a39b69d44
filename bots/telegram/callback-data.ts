/**
 * Button actions as Telegram `callback_data` (at most 64 bytes). Normally the data is the
 * action itself, `<alias>|<value>` (e.g. `c|INC-000001` for ticket.claim), so any process
 * decodes it with no lookup. Should an action ever not fit, it is saved in PostgreSQL under a
 * hash token (`~<22 chars>`), which every process can read back: never a per-process memory map.
 */
import { createHash } from 'node:crypto';
import type { DialogRepository } from '../../core/kernel/ports.ts';

export const CALLBACK_DATA_MAX_BYTES = 64;

export interface Action {
  readonly id: string;
  readonly value: string;
}

/**
 * Short names for the core's action ids; an id missing here travels verbatim. Never reuse a
 * retired alias: old buttons still carry it.
 */
const ALIASES: Readonly<Record<string, string>> = {
  'ticket.claim': 'c',
  'ticket.details': 'd',
  'ticket.confirm': 'cf',
  'ticket.reopen': 'ro',
  'ticket.hold': 'h',
  'ticket.resolve': 'rs',
  'ticket.unclaim': 'u',
  'ticket.rate': 'r',
  'ticket.escalate': 'e',
  'intake.kind': 'k',
  'intake.impact': 'i',
  'intake.urgency': 'g',
  'intake.keep': 'kp',
  'intake.skip': 's',
  'intake.confirm': 'ok',
  'intake.cancel': 'x',
};
const BY_ALIAS = new Map(Object.entries(ALIASES).map(([id, alias]) => [alias, id]));

const TOKEN_PREFIX = '~';
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The self-contained encoding, or undefined when it would not fit in 64 bytes. */
export function encodeInline(actionId: string, value: string): string | undefined {
  // An id that could be read back as something else travels as a token instead.
  if (actionId.includes('|') || actionId.startsWith(TOKEN_PREFIX) || BY_ALIAS.has(actionId)) return undefined;
  const data = `${ALIASES[actionId] ?? actionId}|${value}`;
  return bytes(data) <= CALLBACK_DATA_MAX_BYTES ? data : undefined;
}

/** Reads a self-contained encoding; undefined for a token or anything else. */
export function decodeInline(data: string): Action | undefined {
  if (data.startsWith(TOKEN_PREFIX)) return undefined;
  const bar = data.indexOf('|');
  if (bar <= 0) return undefined;
  const head = data.slice(0, bar);
  return { id: BY_ALIAS.get(head) ?? head, value: data.slice(bar + 1) };
}

/** Where oversized actions are kept; shared by every process (PostgreSQL). */
export interface ActionTokenStore {
  save(token: string, action: Action): Promise<void>;
  load(token: string): Promise<Action | undefined>;
}

/** Encodes and decodes callback data, falling back to a stored token for oversized actions. */
export class CallbackCodec {
  constructor(private readonly tokens: ActionTokenStore) {}

  async encode(actionId: string, value: string): Promise<string> {
    const inline = encodeInline(actionId, value);
    if (inline) return inline;
    // The same action always gets the same token, so re-rendering a card stores nothing new.
    const token = TOKEN_PREFIX + createHash('sha256').update(`${actionId}\u0000${value}`).digest('base64url').slice(0, 22);
    await this.tokens.save(token, { id: actionId, value });
    return token;
  }

  async decode(data: string): Promise<Action | undefined> {
    return data.startsWith(TOKEN_PREFIX) ? this.tokens.load(data) : decodeInline(data);
  }
}

const isAction = (x: unknown): x is Action =>
  typeof x === 'object' && x !== null && typeof (x as Action).id === 'string' && typeof (x as Action).value === 'string';

/**
 * Tokens kept in the core's expiring key-value table (dialogs), under `telegram:callback:`.
 * A year outlives any button anyone still presses.
 */
export function dialogTokenStore(dialogs: DialogRepository, ttlMs = 365 * 24 * 60 * 60 * 1000): ActionTokenStore {
  const key = (token: string) => `telegram:callback:${token}`;
  return {
    save: (token, action) => dialogs.put(key(token), { id: action.id, value: action.value }, new Date(Date.now() + ttlMs)),
    async load(token) {
      const state = await dialogs.get(key(token), new Date());
      return isAction(state) ? state : undefined;
    },
  };
}
