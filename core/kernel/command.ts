/**
 * The command registry: every feature declares its chat commands, buttons and dialogs once,
 * next to its code, as a `Feature`. The engine dispatches from the registry; `aiuto`, the
 * Telegram menus and the Discord slash commands are generated from it, so a new command never
 * touches bots/.
 */
import { Actor } from './actor.ts';
import type { Locale, Text } from './i18n.ts';
import type { Role } from './person.ts';
import type { ChannelPurpose } from './ports.ts';
import type { Turn } from './turn.ts';

/** Who a command is for: a role, any member of an organisation, or anyone who writes. */
export type Audience = Role | 'member' | 'anyone';

/** The groups of `aiuto`, in the order they are shown. */
export const HELP_SECTIONS = [
  'requester',
  'community',
  'volunteer',
  'staff',
  'sla',
  'monitoring',
  'itil',
  'vendors',
  'committee',
  'account',
] as const;
export type HelpSection = (typeof HELP_SECTIONS)[number];

/**
 * What a command's words must look like to be meant as the command in a conversation with the
 * bot ("Stato della rete pessimo" starts with a command word but is a sentence):
 * `none` takes no words, `first` wants its first word to match (and at most `max` words), `free`
 * takes anything. A bare command word always fits (its usage is the helpful answer), and so
 * does anything typed with a `/` or `!`.
 */
export type Grammar =
  | { readonly kind: 'free' }
  | { readonly kind: 'none' }
  | { readonly kind: 'first'; readonly pattern: RegExp; readonly max?: number; readonly rest?: RegExp };

export const Grammar = {
  free: { kind: 'free' } as Grammar,
  none: { kind: 'none' } as Grammar,
  first: (pattern: RegExp, max?: number): Grammar => ({ kind: 'first', pattern, ...(max ? { max } : {}) }),
  /** A ticket id first: INC-000042, inc 42, PRB-7… */
  ticket: { kind: 'first', pattern: /^(INC|REQ|RFC|PRB)[\s-]*\d+$/i } as Grammar,
  /** Everything after the word must match `rest` (a phrase such as `i miei dati`: the word `i`, the rest `miei dati`). */
  phrase: (rest: RegExp): Grammar => ({ kind: 'first', pattern: /^\S+$/, rest }),
};

export interface ParsedCommand {
  /** The command's `name` in the registry. */
  readonly name: string;
  /** The words after the command, split on whitespace. */
  readonly args: readonly string[];
  /** Everything after the command word, verbatim (for free-text arguments). */
  readonly rest: string;
}

export interface CommandSpec {
  /** Stable id, unique across features (`claim`, `sla`, `agent`…). */
  readonly name: string;
  /** The words it answers to; the first of each language names it in menus (`[a-z0-9_]`). */
  readonly words: { readonly it: readonly [string, ...string[]]; readonly en: readonly [string, ...string[]] };
  readonly grammar: Grammar;
  /**
   * What its first argument looks like when its words are shared with other commands
   * (`approva RFC-…` changes, `approva KB-…` the community): the command whose `refs` match the
   * first argument takes it; the one sharing command without `refs` takes the rest.
   */
  readonly refs?: RegExp;
  /** Who it is for: `aiuto` and the menus list it for them. The use case still checks policy. */
  readonly audience: readonly Audience[];
  readonly section: HelpSection;
  /** Its line in `aiuto` (syntax and what it does); commands without one are not listed. */
  readonly help?: Text;
  /** A short description for the platforms' command menus; commands without one stay out of them. */
  readonly menu?: Text;
  /** Its usage, answered when the words do not fit. */
  readonly usage?: Text;
  /** Runs it; `registry` is every feature's commands (for `aiuto`). */
  readonly handle: (turn: Turn, command: ParsedCommand, registry: CommandRegistry) => Promise<void>;
}

/** A button press or select choice: `actionId` starting with `prefix` (e.g. `ticket.`). */
export interface ActionSpec {
  readonly prefix: string;
  readonly handle: (turn: Turn, action: { readonly id: string; readonly value: string }) => Promise<void>;
}

/** A multi-step dialog: free text typed while a dialog of this `flow` is open continues it. */
export interface DialogSpec {
  readonly flow: string;
  /** Whether the stored state is this dialog's (the state is untyped JSON from the database). */
  readonly owns: (state: unknown) => boolean;
  readonly continue: (turn: Turn, state: unknown, text: string) => Promise<void>;
  /**
   * A one-answer dialog whose answer was refused is closed, so the person is not trapped in it
   * (everything they typed next would be taken as the answer and refused again).
   */
  readonly dropOnRefusal?: boolean;
  /**
   * In a channel, whether the answer is taken even when it begins with a command word (a reason
   * typed after a committee button may begin with "fornitore"). Off by default: in a channel a
   * command word is a command, so a volunteer with a note dialog open can still `prendi` a ticket.
   */
  readonly capturesCommandsInChannels?: boolean;
}

/**
 * Text written in a thread under one of Sportello's own messages: `refPrefix` matches the
 * message's stable outbox reference (`card:INC-000042`, `question:Q-000001`), and the feature
 * owning that message takes the reply.
 */
export interface ThreadSpec {
  readonly refPrefix: string;
  readonly handle: (turn: Turn, ref: string, text: string) => Promise<void>;
}

/** Text written in a channel bound for `purpose` (outside any thread of ours). */
export interface ChannelTextSpec {
  readonly purpose: ChannelPurpose;
  readonly handle: (turn: Turn, text: string) => Promise<void>;
}

export interface Feature {
  readonly name: string;
  readonly commands?: readonly CommandSpec[];
  readonly actions?: readonly ActionSpec[];
  readonly dialogs?: readonly DialogSpec[];
  readonly threads?: readonly ThreadSpec[];
  readonly channelText?: readonly ChannelTextSpec[];
}

/** Folds accents and case: `Perché` and `perche` are the same command word. */
function foldWord(w: string): string {
  return w
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Whether the actor is in a command's audience. */
export function isFor(actor: Actor, audience: readonly Audience[]): boolean {
  return audience.some((a) => (a === 'anyone' ? true : a === 'member' ? Actor.organisations(actor).length > 0 : Actor.has(actor, a)));
}

export class CommandRegistry {
  private readonly byWord = new Map<string, CommandSpec[]>();
  private readonly byName = new Map<string, CommandSpec>();
  readonly commands: readonly CommandSpec[];
  readonly actions: readonly ActionSpec[];
  readonly dialogs: readonly DialogSpec[];
  readonly threads: readonly ThreadSpec[];
  readonly channelText: readonly ChannelTextSpec[];

  constructor(features: readonly Feature[]) {
    this.commands = features.flatMap((f) => f.commands ?? []);
    this.actions = features.flatMap((f) => f.actions ?? []);
    this.dialogs = features.flatMap((f) => f.dialogs ?? []);
    this.threads = features.flatMap((f) => f.threads ?? []);
    this.channelText = features.flatMap((f) => f.channelText ?? []);
    for (const c of this.commands) {
      if (this.byName.has(c.name)) throw new Error(`command "${c.name}" declared twice`);
      this.byName.set(c.name, c);
      for (const w of [...c.words.it, ...c.words.en]) {
        const word = foldWord(w);
        const sharing = this.byWord.get(word) ?? [];
        if (sharing.includes(c)) continue;
        const clash = sharing.find((o) => !o.refs && !c.refs);
        if (clash) throw new Error(`command word "${w}" belongs to both "${clash.name}" and "${c.name}" (sharing a word needs refs)`);
        this.byWord.set(word, [...sharing, c]);
      }
    }
  }

  /** Among the commands sharing a word, the one the first argument names. */
  private pick(sharing: readonly CommandSpec[], first: string | undefined): CommandSpec {
    if (sharing.length === 1 && sharing[0]) return sharing[0];
    const byRef = first === undefined ? undefined : sharing.find((s) => s.refs?.test(first));
    return byRef ?? sharing.find((s) => !s.refs) ?? usageOfShared(sharing);
  }

  command(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  /** The command in `text`, or undefined when its first word is not a command word. */
  parse(text: string): { readonly spec: CommandSpec; readonly command: ParsedCommand } | undefined {
    const m = /^[/!]?([^\s@]+)(?:@\S+)?\s*([\s\S]*)$/.exec(text.trim());
    if (!m?.[1]) return undefined;
    const sharing = this.byWord.get(foldWord(m[1]));
    if (!sharing) return undefined;
    const rest = (m[2] ?? '').trim();
    const args = rest ? rest.split(/\s+/) : [];
    const spec = this.pick(sharing, args[0]);
    return { spec, command: { name: spec.name, args, rest } };
  }

  /** The action whose prefix matches `id` most closely (`ticket.escalate` before `ticket.`). */
  action(id: string): ActionSpec | undefined {
    let best: ActionSpec | undefined;
    for (const a of this.actions) if (id.startsWith(a.prefix) && a.prefix.length > (best?.prefix.length ?? -1)) best = a;
    return best;
  }

  dialog(state: unknown): DialogSpec | undefined {
    return this.dialogs.find((d) => d.owns(state));
  }

  thread(ref: string): ThreadSpec | undefined {
    return this.threads.find((x) => ref.startsWith(x.refPrefix));
  }

  channel(purposes: readonly ChannelPurpose[]): ChannelTextSpec | undefined {
    return this.channelText.find((x) => purposes.includes(x.purpose));
  }

  /** The commands an actor may use, by help section, in the registry's order. */
  forActor(actor: Actor): Map<HelpSection, CommandSpec[]> {
    const out = new Map<HelpSection, CommandSpec[]>();
    for (const section of HELP_SECTIONS) {
      const list = this.commands.filter((c) => c.section === section && c.help && isFor(actor, c.audience));
      if (list.length) out.set(section, list);
    }
    return out;
  }

  /**
   * Menu entries (Telegram `setMyCommands`, Discord slash commands) in one language: one per
   * word, so a command whose menu word (in either language) an earlier one already took stays
   * out, the same in both languages (the text typed after the word still picks the command).
   */
  menu(l: Locale): { readonly name: string; readonly word: string; readonly description: string }[] {
    const taken = new Set<string>();
    const entries = this.commands.filter((c) => {
      if (!c.menu) return false;
      const words = [`it:${c.words.it[0]}`, `en:${c.words.en[0]}`];
      if (words.some((w) => taken.has(w))) return false;
      for (const w of words) taken.add(w);
      return true;
    });
    return entries.map((c) => ({ name: c.name, word: c.words[l][0], description: c.menu?.(l) ?? '' }));
  }
}

/**
 * The answer to a shared word whose first argument names none of its commands (`approva` alone):
 * every sharing command's usage. It fits only what one of them would take.
 */
function usageOfShared(sharing: readonly CommandSpec[]): CommandSpec {
  const first = sharing[0] as CommandSpec;
  return {
    ...first,
    name: sharing.map((s) => s.name).join('|'),
    grammar: { kind: 'first', pattern: new RegExp(sharing.map((s) => `(?:${s.refs?.source})`).join('|'), 'i') },
    help: undefined,
    menu: undefined,
    handle: async (turn) =>
      turn.say(
        sharing
          .map((s) => s.usage?.(turn.locale) ?? '')
          .filter(Boolean)
          .join('\n\n'),
      ),
  };
}

/** Whether a command's words fit its grammar well enough to be meant as that command. */
export function fitsGrammar(spec: CommandSpec, c: ParsedCommand, text: string): boolean {
  if (looksLikeCommand(text) || c.args.length === 0) return true;
  const g = spec.grammar;
  if (g.kind === 'free') return true;
  if (g.kind === 'none') return false;
  return (
    g.pattern.test(c.args[0] ?? '') && (g.max === undefined || c.args.length <= g.max) && (g.rest === undefined || g.rest.test(c.rest))
  );
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
