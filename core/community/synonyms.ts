/**
 * Everyday IT words that mean the same thing to people asking for help, in Italian and English.
 * Each line is one group; a query word of a group also finds the others ("printer" finds
 * "stampante"). Words are folded (lower case, no accents); PostgreSQL stems them, so one form of
 * a word is enough unless the stems differ (stampante/stampa, accende/avvio).
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['stampante', 'stampa', 'stampare', 'printer', 'print', 'multifunzione', 'fotocopiatrice'],
  ['scanner', 'scansione', 'scansionare', 'scan'],
  ['posta', 'email', 'mail', 'casella', 'outlook', 'thunderbird', 'inbox', 'gmail'],
  ['pec', 'certificata'],
  ['rete', 'wifi', 'wireless', 'internet', 'connessione', 'network', 'connection'],
  ['router', 'modem', 'fibra', 'adsl'],
  ['password', 'credenziali', 'login', 'pin', 'credentials'],
  ['computer', 'pc', 'portatile', 'laptop', 'notebook', 'desktop'],
  ['backup', 'salvataggio', 'salvataggi'],
  ['recuperare', 'recupero', 'recover', 'restore', 'ripristinare', 'ripristino'],
  ['cancellato', 'cancellare', 'eliminato', 'eliminare', 'deleted', 'delete', 'perso', 'lost'],
  ['virus', 'malware', 'antivirus', 'ransomware'],
  ['phishing', 'truffa', 'scam', 'spam'],
  ['sito', 'website', 'web', 'wordpress'],
  ['telefono', 'smartphone', 'cellulare', 'phone', 'telefonino', 'centralino'],
  ['schermo', 'monitor', 'display'],
  ['lento', 'lentezza', 'slow', 'rallentato', 'rallenta', 'rilento'],
  ['aggiornamento', 'aggiornare', 'update', 'upgrade', 'updates'],
  ['installare', 'installazione', 'install', 'setup'],
  ['errore', 'error', 'errors'],
  ['tastiera', 'keyboard'],
  ['disco', 'ssd', 'storage', 'harddisk'],
  ['cloud', 'drive', 'onedrive', 'dropbox', 'sharepoint'],
  ['videochiamata', 'videoconferenza', 'zoom', 'meet', 'teams', 'videocall', 'webinar'],
  ['account', 'utente', 'profilo', 'user', 'utenza'],
  ['licenza', 'licenze', 'license', 'abbonamento', 'subscription'],
  ['condividere', 'condivisione', 'condivisa', 'share', 'sharing', 'shared'],
  ['cartella', 'folder', 'directory'],
  ['firma', 'firmare', 'signature', 'sign'],
  ['gratis', 'gratuito', 'gratuita', 'free', 'donazione', 'sconto', 'scontato', 'discount', 'techsoup'],
  ['bloccato', 'blocca', 'bloccata', 'frozen', 'freeze', 'stuck', 'impallato', 'piantato'],
  ['accende', 'accendere', 'accensione', 'avvio', 'avvia', 'boot', 'start'],
  ['proiettore', 'projector', 'beamer'],
  ['microfono', 'microphone', 'mic', 'audio', 'cuffie', 'headset'],
  ['privacy', 'gdpr', 'riservatezza'],
  ['gestionale', 'crm'],
  ['excel', 'spreadsheet', 'foglio'],
  ['calendario', 'calendar', 'agenda'],
  ['volontari', 'volunteers', 'volontario', 'volunteer'],
  ['donatori', 'donors', 'donatore', 'donor', 'raccolta', 'fundraising'],
  ['dominio', 'domain', 'dns'],
  ['rinnovo', 'rinnovare', 'renewal', 'renew', 'scadenza', 'scade', 'expire', 'expiry'],
  ['ricondizionato', 'usato', 'refurbished', 'used', 'secondhand'],
  ['spazio', 'space', 'capacity'],
];

/**
 * Phrases folded to one word before anything else, so "posta elettronica" counts as one idea
 * (two words would weigh twice) and finds "e-mail".
 */
export const PHRASES: readonly (readonly [RegExp, string])[] = [
  [/\bposta elettronica\b/g, 'email'],
  [/\bposta certificata\b/g, 'pec'],
  [/\bparol[ae] (chiave|d ordine)\b/g, 'password'],
  [/\bcopi[ae] di sicurezza\b/g, 'backup'],
  [/\b(hard disk|disco rigido|disco fisso)\b/g, 'harddisk'],
  [/\be mail\b/g, 'email'],
  [/\bwi fi\b/g, 'wifi'],
  [/\b(turns?|turned|power|powers) on\b/g, 'accende'],
  [/\bwon t (start|boot)\b/g, 'accende'],
  [/\bnon profit\b/g, 'nonprofit'],
  [/\bterzo settore\b/g, 'nonprofit'],
];

/**
 * Words that carry no meaning for search, in both languages (PostgreSQL's Italian list drops
 * most Italian ones too; these also keep the count of query ideas honest).
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'il lo la i gli le l un uno una un di a da in con su per tra fra e ed o od ma che chi cui non mi ti si ci vi ne ' +
    'del dello della dei degli delle dell al allo alla ai agli alle all dal dallo dalla dai dagli dalle dall ' +
    'nel nello nella nei negli nelle nell sul sullo sulla sui sugli sulle sull col coi come cosa quando dove perche ' +
    'qual quale quali quanto quanta questo questa questi queste quello quella quelli quelle sono sei e era erano ' +
    'ho hai ha abbiamo avete hanno essere avere fare faccio fa fanno posso puo possiamo potete riesco riesci riusciamo ' +
    'voglio vorrei vorremmo devo dobbiamo serve servono mio mia miei mie tuo tua nostro nostra nostri nostre vostro ' +
    'vostra loro anche piu molto poco tutto tutta tutti tutte gia ancora sempre mai solo dopo prima poi ora oggi ieri ' +
    'se no si sì ciao buongiorno grazie aiuto salve qualcuno qualcosa ogni altro altra altri altre stesso ' +
    'the a an of to in on for with and or but is are was were be been do does did how what why when where which ' +
    'can could i my me we our us you your it its this that these those there have has had not no from at by as ' +
    'if any some all get got use using need needs help please hi hello thanks ' +
    // The rest of PostgreSQL's Italian list (tsearch_data/italian.stop), folded: a word PostgreSQL
    // drops must not count as an idea of the query here either.
    'abbia abbiano abbiate ad agl avemmo avendo avesse avessero avessi avessimo aveste avesti aveva avevamo avevano ' +
    'avevate avevi avevo avra avrai avranno avrebbe avrebbero avrei avremmo avremo avreste avresti avrete avro avuta ' +
    'avute avuti avuto c contro dagl degl dov ebbe ebbero ebbi eravamo eravate eri ero essendo faccia facciamo ' +
    'facciano facciate facemmo facendo facesse facessero facessi facessimo faceste facesti faceva facevamo facevano ' +
    'facevate facevi facevo fai fara farai faranno farebbe farebbero farei faremmo faremo fareste faresti farete faro ' +
    'fece fecero feci fosse fossero fossi fossimo foste fosti fu fui fummo furono io lei li lui negl noi quante quanti ' +
    'sara sarai saranno sarebbe sarebbero sarei saremmo saremo sareste saresti sarete saro sia siamo siano siate siete ' +
    'sta stai stando stanno stara starai staranno starebbe starebbero starei staremmo staremo stareste staresti ' +
    'starete staro stava stavamo stavano stavate stavi stavo stemmo stesse stessero stessi stessimo steste stesti ' +
    'stette stettero stetti stia stiamo stiano stiate sto sua sue sugl suo suoi tu tue tuoi voi vostre vostri'
  ).split(/\s+/),
);
