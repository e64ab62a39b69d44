/**
 * `i miei dati` / `my data` (also `mieidati` / `mydata`): a person's own export, as a one-time
 * download link (10 minutes, once, only for them) always sent in a direct message; asked in a
 * channel, the channel is told only that it was sent privately. The export is a JSON document,
 * which no chat platform carries as a message, so the app's HTTP server serves it
 * (bots/privacy/privacy-routes.ts) like the dashboard's login link.
 */
import { type CommandSpec, type Feature, Grammar, type ParsedCommand } from '../kernel/command.ts';
import type { Turn } from '../kernel/turn.ts';
import { m, t } from './messages.ts';
import { exportUrl, requestExportLink } from './privacy.ts';

async function sendExportLink(turn: Turn): Promise<void> {
  const { token } = await requestExportLink(turn.ctx);
  const link = (l: typeof turn.locale) => ({ text: t(l, 'privacy.link', { url: exportUrl(turn.publicUrl, token) }) });
  if (turn.inDm) return turn.reply(link(turn.locale));
  const sent = await turn.ctx.notifier.toPerson(turn.ctx.actor.personId, link);
  turn.say(t(turn.locale, sent ? 'privacy.sent_privately' : 'privacy.no_dm'));
}

/** `i miei dati` is the word `i` and the rest `miei dati` (`my` + `data` in English). */
const PHRASE_REST = /^(miei\s+dati|data)$/i;

const commands: CommandSpec[] = [
  {
    name: 'privacy_export',
    words: { it: ['mieidati', 'privacy'], en: ['mydata', 'privacy'] },
    grammar: Grammar.none,
    audience: ['anyone'],
    section: 'account',
    ...m.helpOf('privacy_export'),
    usage: (l) => t(l, 'usage.privacy_export'),
    handle: (turn) => sendExportLink(turn),
  },
  {
    name: 'privacy_export_phrase',
    words: { it: ['i'], en: ['my'] },
    grammar: Grammar.phrase(PHRASE_REST),
    audience: ['anyone'],
    section: 'account',
    usage: (l) => t(l, 'usage.privacy_export'),
    async handle(turn: Turn, c: ParsedCommand) {
      // A bare `i` or `my` (or `/i something`) is not the phrase: say what is.
      if (!PHRASE_REST.test(c.rest)) return turn.say(t(turn.locale, 'usage.privacy_export'));
      await sendExportLink(turn);
    },
  },
];

export const privacyFeature: Feature = { name: 'privacy', commands };
