/**
 * Configuration items in chat, on the engine with a recording platform: adding (one line and the
 * short dialog), listing, editing with a reason and the history, relations with the refusal of a
 * loop, the overview with open tickets and the impact, in Italian and English; the refusals
 * (another organisation's item answers like an unknown one, a requester cannot add, an ICT lead
 * cannot change another organisation's items, a bad date, an unknown kind); the intake offering
 * the organisation's items and the ticket's category.
 */
import { afterAll, beforeAll, chai, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './engine-harness.ts';

chai.config.truncateThreshold = 0;
let h: Harness;
let org: string;
let other: string;

beforeAll(async () => {
  h = await createHarness();
  org = await h.org('Associazione Il Girasole ODV', '97000000001');
  other = await h.org('Cooperativa La Rondine', '97000000002');
  await h.person('anna', 'Anna Bianchi', ['requester'], org);
  await h.person('luca', 'Luca Referente', ['ict_lead'], org);
  await h.person('rita', 'Rita Rondine', ['ict_lead'], other);
  await h.person('bruno', 'Bruno Rondine', ['requester'], other);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.bindVolunteers('volontari');
});
afterAll(() => h.close());

const say = (who: string, text: string) => h.send({ from: who, text });
const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const lastMessage = (who: string) => h.sender.to(who).at(-1)?.message;
const refIn = (text: string) => /CI-\d{6}/.exec(text)?.[0] ?? '';

let printer = '';
let licence = '';
let server = '';
let site = '';
let theirs = '';

describe('adding items', () => {
  it('an ICT lead adds a printer in one line, for their organisation', async () => {
    await say('luca', 'ci nuovo stampante "HP segreteria"');
    expect(last('luca')).toMatch(/^Fatto: CI-\d{6} · HP segreteria \(stampante\) è registrato per Associazione Il Girasole ODV/);
    printer = refIn(last('luca'));
  });

  it('a licence through the short dialog: kind button, name, a bad date asked again, the date, confirm', async () => {
    await say('luca', 'ci nuovo');
    expect(lastMessage('luca')?.buttons?.map((b) => b.value)).toEqual([
      'computer',
      'server',
      'network_device',
      'printer',
      'application',
      'site',
      'licence',
      'no',
    ]);
    await h.press('luca', 'ci.kind', 'licence');
    expect(last('luca')).toContain('Come si chiama');
    await say('luca', 'Microsoft 365');
    expect(last('luca')).toContain('Quando va rinnovata?');
    await say('luca', '31/02/2027');
    expect(last('luca')).toContain('Non capisco la data «31/02/2027»');
    expect(last('luca')).toContain('Quando va rinnovata?');
    await say('luca', '30/09/2026');
    expect(last('luca')).toBe(
      'Aggiungo licenza o abbonamento «Microsoft 365» per Associazione Il Girasole ODV, con rinnovo il 30 settembre 2026?',
    );
    await h.press('luca', 'ci.confirm', 'yes');
    expect(last('luca')).toMatch(/^Fatto: CI-\d{6} · Microsoft 365 \(licenza o abbonamento\)/);
    licence = refIn(last('luca'));
  });

  it('a volunteer names the organisation by its fiscal code (asked, or at the end of the line)', async () => {
    await say('vera', 'ci nuovo server');
    expect(last('vera')).toContain('Come si chiama');
    await say('vera', 'nas-sede');
    expect(last('vera')).toContain("Scrivi il codice fiscale dell'ente");
    await say('vera', '97999999999');
    expect(last('vera')).toContain('Non trovo nessuna organizzazione con codice fiscale 97999999999');
    await say('vera', '97000000001');
    expect(last('vera')).toContain('Aggiungo server «nas-sede» per Associazione Il Girasole ODV?');
    await say('vera', 'sì');
    server = refIn(last('vera'));
    expect(server).not.toBe('');

    await say('vera', 'ci nuovo sede Sede di via Roma 97000000001');
    expect(last('vera')).toContain('Sede di via Roma (sede) è registrato per Associazione Il Girasole ODV');
    site = refIn(last('vera'));
    await say('vera', 'ci nuovo rete switch-rondine 97000000002');
    theirs = refIn(last('vera'));
    expect(theirs).not.toBe('');
  });

  it('refuses an unknown kind, a requester adding, and tells the usage for words it does not know', async () => {
    await say('luca', 'ci nuovo frigorifero "Bosch"');
    expect(last('luca')).toBe('Non conosco il tipo «frigorifero». Tipi: computer, server, rete, stampante, applicazione, sede, licenza.');
    await say('anna', 'ci nuovo stampante "Mia"');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('luca', '/ci boh cosa');
    expect(last('luca')).toContain('Uso:');
    // "Ci serve …" is a sentence, not the command: it starts the intake.
    await say('anna', 'Ci serve un nuovo account di posta per la volontaria');
    expect(h.sender.texts('anna').slice(-1)[0]).not.toContain('Uso:');
    await say('anna', 'annulla');
  });
});

describe('reading, editing, history', () => {
  it("members list their organisation's items; staff name the organisation", async () => {
    await say('anna', 'ci');
    const list = last('anna');
    expect(list).toContain('Elementi di configurazione (4)');
    expect(list).toContain(`${printer} · HP segreteria · stampante · attivo`);
    expect(list).toContain('Microsoft 365 · licenza o abbonamento · attivo · rinnovo 30 settembre 2026');
    expect(list).not.toContain('switch-rondine');
    await say('marco', 'ci 97000000002');
    expect(last('marco')).toContain('Elementi di configurazione (1)');
    expect(last('marco')).toContain('switch-rondine');
    await say('anna', 'ci 97000000002');
    expect(last('anna')).toBe('Non trovo nessuna organizzazione con codice fiscale 97000000002.');
  });

  it("another organisation's item answers like an unknown one, for reading and for changing", async () => {
    await say('anna', `ci ${theirs}`);
    expect(last('anna')).toBe(
      `Non trovo l'elemento di configurazione ${theirs}. Controlla il codice (per esempio CI-000007) o scrivi «ci» per l'elenco.`,
    );
    await say('luca', `ci ${theirs} stato dismesso — non serve`);
    expect(last('luca')).toContain(`Non trovo l'elemento di configurazione ${theirs}`);
    // Rita leads the other organisation: hers to change, Luca's not.
    await say('rita', `ci ${printer} nome Pippo`);
    expect(last('rita')).toContain(`Non trovo l'elemento di configurazione ${printer}`);
    await say('rita', `ci ${theirs} nome switch-magazzino — rietichettato`);
    expect(last('rita')).toContain('Fatto: il nome di');
    // A requester reads but does not change.
    await say('anna', `ci ${printer} stato manutenzione`);
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
  });

  it('edits with a reason, refuses a bad date and status, and the history says who, what and why', async () => {
    await say('luca', `ci ${printer} stato manutenzione — cambio del fusore`);
    expect(last('luca')).toBe(`Fatto: lo stato di ${printer} · HP segreteria ora è «in manutenzione». Registrato nella storia.`);
    await say('luca', `ci ${printer} stato manutenzione`);
    expect(last('luca')).toContain('aveva già questo valore');
    await say('luca', `ci ${printer} stato rotto`);
    expect(last('luca')).toBe('Stato non valido. Stati: attivo, in manutenzione, dismesso.');
    await say('luca', `ci ${licence} rinnovo 2026-13-01`);
    expect(last('luca')).toBe('Non capisco la data «2026-13-01»: scrivila come 30/09/2026 (o 2026-09-30).');
    await say('luca', `ci ${licence} rinnovo 15/10/2026 — rinnovata per un anno`);
    expect(last('luca')).toContain('ora è «15 ottobre 2026»');
    await say('luca', `ci ${printer} rinnovo 15/10/2026`);
    expect(last('luca')).toContain('Valore non valido per "renewal"');

    await say('anna', `ci storia ${printer}`);
    const history = last('anna');
    expect(history).toContain(`Storia di ${printer} · HP segreteria`);
    expect(history).toContain('Luca Referente: stato da «attivo» a «in manutenzione» — perché: cambio del fusore');
    expect(history).toContain('Luca Referente: registrato come «HP segreteria»');
  });
});

describe('relations and impact', () => {
  it('links in Italian, refuses a loop, and shows the impact in the overview', async () => {
    await say('luca', `ci collega ${printer} sede ${site}`);
    expect(last('luca')).toBe(`Fatto: ${printer} · HP segreteria si trova presso ${site} · Sede di via Roma.`);
    await say('vera', `ci collega ${server} dipende da ${printer}`);
    expect(last('vera')).toContain('dipende da');
    await say('luca', `ci collega ${site} dipende ${server}`);
    expect(last('luca')).toBe(
      `Non posso collegare ${site} a ${server}: ${server} dipende già da ${site}, e il giro si chiuderebbe. Niente è cambiato.`,
    );
    await say('luca', `ci collega ${printer} abita ${site}`);
    expect(last('luca')).toContain('Non conosco il collegamento «abita»');

    await say('anna', `ci ${site}`);
    const overview = last('anna');
    expect(overview).toContain('Impatto: se si ferma, ne risentono 2 elementi:');
    expect(overview).toContain(`${printer} · HP segreteria (stampante, in manutenzione)`);
    expect(overview).toContain(`${server} · nas-sede (server) [2]`);

    await say('luca', `ci scollega ${server} dipende ${printer}`);
    expect(last('luca')).toBe(`Fatto: tolto il collegamento «${server} · nas-sede dipende da ${printer} · HP segreteria».`);
    await say('vera', `ci scollega ${server} dipende ${printer}`);
    expect(last('vera')).toContain('Non risultava il collegamento');
    // Rita leads another organisation: she cannot even see these items.
    await say('rita', `ci collega ${server} dipende ${printer}`);
    expect(last('rita')).toContain(`Non trovo l'elemento di configurazione ${server}`);
  });

  it("another organisation's items that depend on one are neither listed nor counted for a requester", async () => {
    // A volunteer records that the other organisation's item depends on this site.
    await say('vera', `ci collega ${theirs} dipende ${site}`);
    expect(last('vera')).toContain('dipende da');
    await say('vera', `ci ${site}`);
    expect(last('vera')).toContain('ne risentono 2 elementi');
    await say('anna', `ci ${site}`);
    expect(last('anna')).toContain('Impatto: se si ferma, ne risentono 1 elementi:');
    expect(last('anna')).not.toContain(theirs);
    await say('vera', `ci scollega ${theirs} dipende ${site}`);
  });

  it('works in English, with the relation words and the overview in English', async () => {
    await say('vera', 'language en');
    await say('vera', `ci link ${server} runs_on ${printer}`);
    expect(last('vera')).toBe(`Done: ${server} · nas-sede runs on ${printer} · HP segreteria.`);
    await say('vera', `ci ${printer}`);
    expect(last('vera')).toContain('Impact: if it stops, 1 items are affected:');
    expect(last('vera')).toContain('No open tickets.');
    await say('vera', `ci history ${printer}`);
    expect(last('vera')).toContain('status from "active" to "in maintenance" — why: cambio del fusore');
    await say('vera', 'ci new fridge');
    expect(last('vera')).toBe('I do not know the kind "fridge". Kinds: computer, server, network, printer, application, site, licence.');
    await say('vera', `ci link ${printer} depends_on ${server}`);
    expect(last('vera')).toContain('that would close a loop');
  });
});

describe("the intake offers the organisation's items", () => {
  it('names the printer from the first message, shows it in the summary, and the ticket points at it with its category', async () => {
    await say('anna', 'La HP segreteria non stampa più da stamattina, urgente');
    for (const [id, value] of [
      ['intake.kind', 'incident'],
      ['intake.impact', '2'],
      ['intake.urgency', '1'],
    ] as const) {
      const asked = lastMessage('anna')?.buttons?.some((b) => b.actionId === id);
      if (asked) await h.press('anna', id, value);
    }
    while (!lastMessage('anna')?.buttons?.some((b) => b.actionId === 'intake.confirm')) {
      const m = lastMessage('anna');
      if (m?.buttons?.some((b) => b.actionId === 'intake.keep')) await h.press('anna', 'intake.keep', '');
      else await say('anna', 'Stampante ferma');
    }
    const summary = lastMessage('anna');
    expect(summary?.fields?.find((f) => f.label === 'Dispositivo o servizio')?.value).toBe(`${printer} · HP segreteria`);
    const confirm = summary?.buttons?.find((b) => b.actionId === 'intake.confirm');
    await h.press('anna', 'intake.confirm', confirm?.value ?? '');
    const ref = /INC-\d{6}/.exec(last('anna'))?.[0] ?? '';
    const row = await h.tdb.db
      .selectFrom('tickets')
      .select(['configuration_item_id', 'category'])
      .where('ref', '=', ref)
      .executeTakeFirstOrThrow();
    expect(row.category).toBe('printer');
    expect(row.configuration_item_id).not.toBeNull();

    await say('luca', `ci ${printer}`);
    expect(last('luca')).toContain(`Ticket aperti:\n• ${ref} P2`);
  });

  it('offers the items as buttons at the device step; a typed name matches one, other text stays words', async () => {
    await say('anna', 'Qualcosa non va');
    await h.press('anna', 'intake.kind', 'incident');
    await h.press('anna', 'intake.impact', '3');
    await h.press('anna', 'intake.urgency', '3');
    await say('anna', 'Problema strano');
    await say('anna', 'Da ieri qualcosa non funziona in ufficio.');
    const device = lastMessage('anna');
    expect(device?.text).toContain('Scegli tra quelli registrati per il tuo ente');
    const labels = device?.buttons?.map((b) => b.label) ?? [];
    expect(labels).toContain(`${printer} · HP segreteria`);
    expect(labels.at(-1)).toBe('Altro / non so');
    expect(labels.join()).not.toContain('switch');
    await say('anna', 'nas-sede');
    expect(lastMessage('anna')?.fields?.find((f) => f.label === 'Dispositivo o servizio')?.value).toBe(`${server} · nas-sede`);
    // Correct it to words that match nothing: kept as words.
    await h.press('anna', 'intake.edit', 'device');
    await say('anna', 'il videoproiettore');
    expect(lastMessage('anna')?.fields?.find((f) => f.label === 'Dispositivo o servizio')?.value).toBe('il videoproiettore');
    await say('anna', 'annulla');
  });
});
