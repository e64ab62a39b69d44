/** The monitoring feature's messages in Italian (the default). Every key must exist in messages.en.ts too. */
export const it = {
  'help.agent': 'agente [codice fiscale]: codice per registrare un agente (referente ICT, moderatori); agente revoca <macchina> <motivo>: revoca l\'agente di una macchina',
  'menu.agent': 'Codice per registrare un agente di monitoraggio',
  'help.agents': 'agenti: gli agenti e il loro stato',
  'menu.agents': 'Gli agenti di monitoraggio e il loro stato',
  'help.silence': 'silenzia <ente|macchina> <durata> [motivo]: finestra di manutenzione',
  'menu.silence': 'Silenzia le allerte per una manutenzione',
  'help.noisy': 'rumorosi: i controlli con più falsi allarmi (sui messaggi di allerta: Prendo io, Preso atto, Silenzia 1 h, Falso allarme)',
  'menu.noisy': 'I controlli con più falsi allarmi',
} as const;
