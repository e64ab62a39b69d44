/** The privacy feature's Italian catalog: the export asked for in chat, its download page, the pseudonyms. */
export const it = {
  'help.privacy_export':
    'i miei dati: un link personale per scaricare tutti i dati che Sportello conserva su di te (JSON), valido 10 minuti e una sola volta',
  'menu.privacy_export': 'Scarica i tuoi dati personali',
  'usage.privacy_export': 'Scrivi «i miei dati» (o «mieidati») per ricevere in privato il link ai tuoi dati personali.',
  'privacy.link':
    'Ecco i tuoi dati personali, come previsto dal GDPR: {url}\nIl link è solo per te, vale 10 minuti e si usa una sola volta. Per far cancellare i tuoi dati scrivi al titolare del trattamento (il comitato).',
  'privacy.sent_privately': 'Ti ho mandato il link ai tuoi dati in un messaggio privato.',
  'privacy.no_dm': 'Non riesco a scriverti in privato: scrivimi «i miei dati» in un messaggio diretto.',
  'privacy.pseudonym': 'Persona cancellata {code}',
  'privacy.removed_text': "[testo rimosso su richiesta dell'interessato]",
  'privacy.page.title': 'I tuoi dati personali',
  'privacy.page.help':
    'Premi il pulsante per scaricare i tuoi dati (un file JSON). Il link vale una sola volta: dopo il download non si può riusare.',
  'privacy.page.download': 'Scarica i miei dati',
  'privacy.page.link_unknown': 'Questo link non è valido. Scrivi di nuovo «i miei dati» al bot per averne uno nuovo.',
  'privacy.page.link_used': 'Questo link è già stato usato: ogni link vale una volta sola. Scrivi di nuovo «i miei dati» al bot.',
  'privacy.page.link_expired': 'Questo link è scaduto (vale 10 minuti). Scrivi di nuovo «i miei dati» al bot.',
};
