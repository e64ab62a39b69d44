/** Messages of the escalation feature in Italian, the default language. Every key must exist in messages.en.ts too. */
export const it = {
  'sla.warn.response':
    '⏰ {ref} (P{priority}, {org}) è ancora in coda: la prima risposta scade {due}, mancano {remaining}. Chi può prenderlo?',
  'sla.warn.resolution': '⏰ {ref} (P{priority}, «{title}»): la risoluzione scade {due}, mancano {remaining}.',
  'sla.breach.response': '🚨 Obiettivo mancato: nessuno ha preso in carico {ref} (P{priority}, {org}) entro {target}.',
  'sla.breach.resolution': '🚨 Obiettivo mancato: {ref} (P{priority}, {org}) non è stato risolto entro {target}. In carico a: {owner}.',
  'sla.requester.breach.response':
    "Ci scusiamo: la tua richiesta {ref} non è ancora stata presa in carico nel tempo che ci eravamo dati ({target}). Non l'abbiamo dimenticata: i coordinatori sono stati avvisati e ti scrivo appena qualcuno se ne occupa.",
  'sla.requester.breach.resolution':
    'Ci scusiamo: la tua richiesta {ref} non è stata risolta nel tempo che ci eravamo dati ({target}). Chi se ne occupa è stato avvisato e ci sta ancora lavorando.',
  'sla.escalation.offer':
    "I volontari non sono riusciti a risolvere {ref} nei tempi previsti. Se preferisci, possiamo chiedere a un fornitore certificato dell'albo di occuparsene: è un servizio a pagamento, con tempi garantiti. Vuoi che lo chiediamo?",
  'sla.escalation.offer_staff':
    '{ref} (P{priority}, {org}) ha superato il tempo di risoluzione dei volontari: si può proporre il passaggio a un fornitore certificato. La stessa proposta è arrivata al richiedente.',
  'sla.vendor.reannounce':
    '📣 {ref} (P{priority}, {org}) è affidato a {vendor} e aspetta da {age} che qualcuno di voi lo prenda in carico.',
  'sla.vendor.breach.response':
    '🚨 Impegno mancato: {vendor} ({vendorRef}) non ha preso in carico {ref} (P{priority}, {org}) entro {target}.',
  'sla.vendor.breach.resolution':
    '🚨 Impegno mancato: {vendor} ({vendorRef}) non ha risolto {ref} (P{priority}, {org}) entro {target}. In carico a: {owner}.',
  'sla.vendor.requester_breach.response':
    'Ci scusiamo: {vendor} non ha preso in carico la tua richiesta {ref} nel tempo garantito ({target}). Il comitato è stato avvisato e segue la cosa.',
  'sla.vendor.requester_breach.resolution':
    'Ci scusiamo: {vendor} non ha risolto la tua richiesta {ref} nel tempo garantito ({target}). Il comitato è stato avvisato e segue la cosa.',
  'button.escalate': 'Chiedi un fornitore',
  'sla.unclaimed.reannounce': '📣 {ref} (P{priority}, {org}) aspetta da {age} che qualcuno lo prenda in carico. Chi può dare una mano?',
  'sla.unclaimed.report':
    '{ref} (P{priority}, {org}) è in coda senza nessuno da {age}, anche dopo il sollecito ai volontari. Puoi trovare qualcuno che se ne occupi?',
  'sla.auto_closed':
    'Ho chiuso il ticket {ref}: era risolto e in {days} giorni non è arrivata una conferma. Se il problema si ripresenta, scrivimi e apriamo una nuova richiesta.',
  'sla.digest.title': 'Buongiorno! I ticket aperti al {date}',
  'sla.digest.counts': 'Aperti: {open} · in coda senza nessuno: {unclaimed} · a rischio: {risk} · in ritardo: {late}',
  'sla.digest.first': 'Da guardare per primi:',
  'sla.digest.line': '{ref} · P{priority} · {status} · {target}: {clock}',
  'sla.digest.more': '…e altri {n}.',
  'sla.digest.calm': 'Nessun ticket a rischio. Buon lavoro!',
  'sla.digest.empty': 'Nessun ticket aperto. Buona giornata!',
} as const;
