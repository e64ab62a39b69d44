/** The people feature's messages in Italian (the default). Every key must exist in messages.en.ts too. */
export const it = {
  'help.certify': 'certifica @<nome utente> <ruolo> [motivo]',
  'menu.certify': 'Certifica una persona (comitato)',
  'help.revoke': 'revoca @<nome utente> <ruolo> <motivo>',
  'menu.revoke': 'Revoca una certificazione (comitato)',
  'help.certified': 'certificati: chi è certificato, per ruolo',
  'menu.certified': 'Elenco dei certificati (comitato)',
  'help.invite': 'invita <codice fiscale> [referente]: un codice per entrare nell\'ente',
  'menu.invite': "Invita qualcuno nell'organizzazione",
  'help.language': 'lingua it | en',
  'menu.language': 'Cambia lingua: /lingua en',
  'help.link': 'collega: collega un altro account (Slack, Telegram, Discord)',
  'menu.link': 'Collega un altro account chat',
  'help.join': 'entra <codice>: unisciti alla tua organizzazione',
  'menu.join': "Entra nell'organizzazione con un codice",
  'help.whoami': 'chisono: chi sei per Sportello',
  'menu.whoami': 'Chi sei per Sportello',
} as const;
