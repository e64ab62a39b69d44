/**
 * The command menu Telegram shows when a user types `/`, in Italian (the default, and for
 * `it` clients) and English (for `en` clients). Each word is one the core already understands
 * (core/conversation/commands.ts); Telegram allows only `[a-z0-9_]{1,32}` as names.
 */
import type { CommandName } from '../../core/conversation/commands.ts';

export interface MenuCommand {
  readonly name: CommandName;
  readonly it: { readonly command: string; readonly description: string };
  readonly en: { readonly command: string; readonly description: string };
}

const c = (name: CommandName, it: [string, string], en: [string, string]): MenuCommand => ({
  name,
  it: { command: it[0], description: it[1] },
  en: { command: en[0], description: en[1] },
});

export const MENU: readonly MenuCommand[] = [
  c('help', ['aiuto', 'Come usare Sportello'], ['help', 'How to use Sportello']),
  c('mine', ['ticket', 'I tuoi ticket'], ['tickets', 'Your tickets']),
  c('status', ['stato', 'Stato di un ticket: /stato INC-000042'], ['status', 'Status of a ticket: /status INC-000042']),
  c('comment', ['commenta', 'Aggiungi un commento a un ticket'], ['comment', 'Add a comment to a ticket']),
  c('confirm', ['conferma', 'Conferma che il problema è risolto'], ['confirm', 'Confirm the problem is solved']),
  c('reopen', ['riapri', 'Riapri un ticket risolto'], ['reopen', 'Reopen a resolved ticket']),
  c('rate', ['valuta', "Valuta l'aiuto ricevuto"], ['rate', 'Rate the help you received']),
  c('withdraw', ['ritira', 'Ritira una richiesta'], ['withdraw', 'Withdraw a request']),
  c('claim', ['prendi', 'Prendi in carico un ticket (volontari)'], ['claim', 'Claim a ticket (volunteers)']),
  c('unclaim', ['rilascia', 'Rilascia un ticket preso in carico'], ['unclaim', 'Release a claimed ticket']),
  c('note', ['nota', 'Nota interna su un ticket'], ['note', 'Internal note on a ticket']),
  c('hold', ['sospendi', 'Metti un ticket in attesa'], ['hold', 'Put a ticket on hold']),
  c('resume', ['riprendi', 'Riprendi un ticket in attesa'], ['resume', 'Resume a ticket on hold']),
  c('resolve', ['risolvi', 'Segna un ticket come risolto'], ['resolve', 'Mark a ticket as resolved']),
  c('handover', ['passa', 'Passa un ticket a un altro volontario'], ['handover', 'Hand a ticket over to another volunteer']),
  c('bind', ['canale', 'Collega questo gruppo: /canale volontari'], ['channel', 'Bind this group: /channel volunteers']),
  c('unbind', ['scollega', 'Scollega questo gruppo'], ['unbind', 'Unbind this group']),
  c('language', ['lingua', 'Cambia lingua: /lingua en'], ['language', 'Change language: /language it']),
  c('link', ['collega', 'Collega un altro account chat'], ['link', 'Link another chat account']),
  c('join', ['entra', "Entra nell'organizzazione con un codice"], ['join', 'Join your organisation with a code']),
  c('invite', ['invita', "Invita qualcuno nell'organizzazione"], ['invite', 'Invite someone to your organisation']),
  c('whoami', ['chisono', 'Chi sei per Sportello'], ['whoami', 'Who you are to Sportello']),
  c('cancel', ['annulla', "Annulla l'operazione in corso"], ['cancel', 'Cancel what is in progress']),
  c('certified', ['certificati', 'Elenco dei certificati (comitato)'], ['certified', 'Certified people (committee)']),
  c('certify', ['certifica', 'Certifica una persona (comitato)'], ['certify', 'Certify a person (committee)']),
  c('revoke', ['revoca', 'Revoca una certificazione (comitato)'], ['revoke', 'Revoke a certification (committee)']),
];

/** The `setMyCommands` calls to make at start: default and `it` in Italian, `en` in English. */
export function commandMenus(): { readonly language_code?: 'it' | 'en'; readonly commands: { command: string; description: string }[] }[] {
  const it = MENU.map((m) => ({ ...m.it }));
  const en = MENU.map((m) => ({ ...m.en }));
  return [{ commands: it }, { language_code: 'it', commands: it }, { language_code: 'en', commands: en }];
}
