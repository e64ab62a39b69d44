/**
 * The catalogue of standard changes: routine, low-risk changes approved once and for all, so a
 * volunteer submits them without waiting for anyone (ITIL's pre-approved changes). Each has a
 * key typed in chat (`sottoponi RFC-… standard stampante`), its title and its risk note.
 */
import type { Locale } from '../kernel/i18n.ts';

export interface StandardChange {
  readonly key: string;
  /** Other words that name it (Italian and English). */
  readonly aliases: readonly string[];
  readonly title: Readonly<Record<Locale, string>>;
  readonly risk: Readonly<Record<Locale, string>>;
}

export const STANDARD_CHANGES: readonly StandardChange[] = [
  {
    key: 'account',
    aliases: ['password', 'utente', 'user'],
    title: { it: 'Nuovo account o reset della password', en: 'New account or password reset' },
    risk: {
      it: "basso: si verifica l'identità della persona con il referente ICT prima di consegnare le credenziali",
      en: "low: the person's identity is checked with the ICT lead before the credentials are handed over",
    },
  },
  {
    key: 'casella',
    aliases: ['mailbox', 'posta', 'email'],
    title: { it: 'Nuova casella di posta', en: 'New mailbox' },
    risk: {
      it: 'basso: nessun effetto sulle caselle esistenti; controllare lo spazio della licenza',
      en: 'low: no effect on existing mailboxes; check the licence quota',
    },
  },
  {
    key: 'stampante',
    aliases: ['printer', 'driver'],
    title: { it: 'Installazione del driver di una stampante', en: 'Printer driver installation' },
    risk: {
      it: 'basso: solo driver del produttore; la macchina può chiedere un riavvio',
      en: "low: the manufacturer's driver only; the machine may need a restart",
    },
  },
  {
    key: 'aggiornamento',
    aliases: ['update', 'software'],
    title: { it: 'Aggiornamento di un software approvato', en: 'Approved software update' },
    risk: {
      it: 'basso: solo versioni stabili di software già in uso, fuori dall’orario di lavoro se serve un riavvio',
      en: 'low: only stable versions of software already in use, outside working hours when a restart is needed',
    },
  },
  {
    key: 'cartella',
    aliases: ['folder', 'condivisione', 'share'],
    title: { it: 'Aggiungere una persona a una cartella condivisa', en: 'Add a user to a shared folder' },
    risk: {
      it: 'basso: su richiesta del referente ICT, solo i permessi già previsti per quella cartella',
      en: 'low: at the ICT lead’s request, only the permissions already set for that folder',
    },
  },
];

/** The catalogue entry named by `typed` (its key or an alias, any case), or undefined. */
export function findStandardChange(typed: string): StandardChange | undefined {
  const w = typed.trim().toLowerCase();
  return STANDARD_CHANGES.find((s) => s.key === w || s.aliases.includes(w));
}
