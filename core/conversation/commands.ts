/**
 * The chat command vocabulary: every command answers to its Italian and English words, with
 * or without a leading `/` or `!` (Telegram and Discord habits) and a `@bot` suffix.
 */
export const COMMANDS = {
  help: ['aiuto', 'help', 'start', 'comandi', 'commands', '?'],
  mine: ['ticket', 'tickets', 'miei', 'mine', 'lista', 'list'],
  status: ['stato', 'status'],
  comment: ['commenta', 'comment', 'rispondi', 'reply'],
  note: ['nota', 'note'],
  confirm: ['conferma', 'confirm'],
  reopen: ['riapri', 'reopen'],
  rate: ['valuta', 'rate'],
  withdraw: ['ritira', 'withdraw'],
  claim: ['prendi', 'claim'],
  unclaim: ['rilascia', 'unclaim'],
  hold: ['sospendi', 'hold'],
  resume: ['riprendi', 'resume'],
  resolve: ['risolvi', 'resolve'],
  handover: ['passa', 'handover'],
  bind: ['canale', 'channel'],
  unbind: ['scollega', 'unbind'],
  certify: ['certifica', 'certify'],
  revoke: ['revoca', 'revoke'],
  certified: ['certificati', 'certified'],
  language: ['lingua', 'language'],
  link: ['collega', 'link'],
  invite: ['invita', 'invite'],
  join: ['entra', 'join'],
  cancel: ['annulla', 'cancel', 'stop'],
  whoami: ['chisono', 'whoami'],
  // Monitoring (core/alerts/alert-commands.ts).
  agent: ['agente', 'agent'],
  agents: ['agenti', 'agents'],
  noisy: ['rumorosi', 'noisy'],
  silence: ['silenzia', 'silence'],
  sla: ['sla'],
} as const;

export type CommandName = keyof typeof COMMANDS;

export interface ParsedCommand {
  readonly name: CommandName;
  /** The words after the command, split on whitespace. */
  readonly args: readonly string[];
  /** Everything after the command word, verbatim (for free-text arguments). */
  readonly rest: string;
}

const BY_WORD = new Map<string, CommandName>(
  Object.entries(COMMANDS).flatMap(([name, words]) => words.map((w) => [w, name as CommandName] as const)),
);

/** The command in `text`, or undefined when the first word is not a command word. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const trimmed = text.trim();
  const m = /^[/!]?([^\s@]+)(?:@\S+)?\s*([\s\S]*)$/.exec(trimmed);
  if (!m || !m[1]) return undefined;
  const word = m[1]
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const name = BY_WORD.get(word);
  if (!name) return undefined;
  const rest = (m[2] ?? '').trim();
  return { name, args: rest ? rest.split(/\s+/) : [], rest };
}

const TAKES_TICKET = new Set<CommandName>([
  'status', 'comment', 'note', 'claim', 'confirm', 'reopen', 'withdraw', 'unclaim', 'hold', 'resume', 'resolve', 'rate', 'handover',
]);
const TAKES_NOTHING = new Set<CommandName>(['help', 'mine', 'cancel', 'certified', 'whoami']);
const CODE = /^[A-Z2-9]{8}$/i;

/**
 * Whether a command's words fit its syntax well enough to be meant as that command. In a
 * conversation with the bot, "Stato della rete pessimo" or "Collega in ferie, non accedo" start
 * with a command word but are sentences: those go to the dialog instead. A bare command word
 * fits (its usage is the helpful answer), and so does anything typed with a `/` or `!`.
 */
export function fitsSyntax(c: ParsedCommand, text: string): boolean {
  if (looksLikeCommand(text) || c.args.length === 0) return true;
  const first = c.args[0] ?? '';
  if (TAKES_TICKET.has(c.name)) return /^(INC|REQ|RFC|PRB)[\s-]*\d+$/i.test(first);
  if (TAKES_NOTHING.has(c.name)) return false;
  if (c.name === 'link' || c.name === 'join') return c.args.length === 1 && CODE.test(first);
  if (c.name === 'language') return c.args.length === 1 && /^(it|en)$/i.test(first);
  if (c.name === 'certify' || c.name === 'revoke') return /^(@|<@)/.test(first);
  if (c.name === 'invite') return /^(\d{11}|[A-Z0-9]{16})$/i.test(first);
  return true;
}

/** Whether the text begins like a command (a `/` or `!` prefix) even if the word is unknown. */
export function looksLikeCommand(text: string): boolean {
  return /^\s*[/!]\S/.test(text);
}

/** `rest` without its first `n` words (the free text after a ticket id, for instance). */
export function restAfter(rest: string, n: number): string {
  let s = rest.trim();
  for (let i = 0; i < n; i++) s = s.replace(/^\S+\s*/, '');
  return s;
}
