/**
 * The authorization matrix: every chat command of the registry (core/features.ts REGISTRY) ×
 * every kind of person, through the conversation engine on a real database. The expected outcome
 * of each cell is data (`MATRIX` below, a row per command); a command added to the registry
 * without a row fails the test, so the matrix grows with the product.
 *
 * - refused: the answer is a refusal (a DomainError of the authorization family: forbidden, not
 *   found — another organisation's data does not exist for you —, not the owner, not the
 *   approver…) and NOTHING changed in the database (every row written is logged by a trigger on
 *   every table, bookkeeping excepted).
 * - allowed: the effect happened, or an answer that is not about authorization came (a usage
 *   line, "already claimed", "the window is in the past"…).
 *
 * Every command gets a representative invocation with a real target of the first organisation
 * (a ticket, a problem, an RFC, a configuration item, a question…); the commands that change
 * their target get a fresh one per cell, so the cells do not depend on each other's order.
 */

import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { t as dashboardText } from '../core/dashboard/messages.ts';
import { REGISTRY } from '../core/features.ts';
import { DomainError, type DomainErrorCode } from '../core/kernel/errors.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Store } from '../core/kernel/ports.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { isTransientDatabaseError } from '../db/database.ts';
import type { MonitoringTables } from '../db/monitoring.tables.ts';
import { createHarness, type Harness } from './engine-harness.ts';

const ROLES = [
  'requester',
  'requester_other_org',
  'ict_lead',
  'volunteer',
  'revoked_volunteer',
  'moderator',
  'committee',
  'vendor',
  'observer',
  'unknown',
] as const;
type MatrixRole = (typeof ROLES)[number];
type Outcome = 'allowed' | 'refused';

/** The handle each role writes from (`unknown` gets a never-seen account per cell). */
const ACTOR: Readonly<Record<Exclude<MatrixRole, 'unknown'>, string>> = {
  requester: 'anna',
  requester_other_org: 'rita',
  ict_lead: 'luca',
  volunteer: 'vera',
  revoked_volunteer: 'rosa',
  moderator: 'marco',
  committee: 'carla',
  vendor: 'paolo',
  observer: 'olga',
};

/** Refusals about who may do what (or see what): anything else is a "non-authorization" answer. */
const AUTHORIZATION_CODES: ReadonlySet<DomainErrorCode> = new Set<DomainErrorCode>([
  'forbidden',
  'not_found',
  'not_volunteer',
  'not_owner',
  'not_asker',
  'asker_only',
  'not_approver',
  'no_organisation',
  'community_members_only',
  'organisation_not_found',
  'problem_not_found',
  'ci_not_found',
  'question_not_found',
  'answer_not_found',
  'article_not_found',
  'announcement_not_found',
  'vendor_not_found',
  'case_not_found',
  'alert_not_found',
  'machine_not_found',
]);

/** Refusals answered in plain words rather than with a DomainError. */
const REFUSAL_TEXTS: ReadonlySet<string> = new Set([dashboardText('it', 'dashboard.refused')]);

/**
 * People outside organisation A: whatever they are told (allowed or refused), it never holds
 * A's name nor a title of its tickets, changes, problems or items.
 */
const OUTSIDERS: readonly MatrixRole[] = ['requester_other_org', 'revoked_volunteer', 'vendor', 'observer', 'unknown'];
const SECRETS = [
  'Girasole',
  'La stampante non stampa',
  'Il wifi cade',
  'Aggiornare il firmware',
  'Sostituire lo switch',
  'Le stampanti si bloccano',
  'fw-sede',
];

/** Tables a refused command may still write: the inbound dedupe, the answer itself, a first contact. */
const BOOKKEEPING = new Set(['inbound_deliveries', 'outbox', 'platform_messages', 'platform_dm_channels', 'web_messages']);
const FIRST_CONTACT = new Set(['people', 'identities']);

const ORG_A = '97000000001';
const ORG_B = '97000000002';
/** A change window in the calendar's next 14 days (the clock stands at Monday 2 March 2026). */
const WINDOW = '05/03/2026 18:00 20:00';

interface Invocation {
  readonly text: string;
  /** A channel to write in (a fresh one per cell) instead of a DM. */
  readonly channel?: boolean;
}

/** The fixtures a row's invocation may use, shared or fresh. */
interface Fixtures {
  /** An open incident of organisation A, opened by the requester (anna), claimed by nobody. */
  readonly ticket: string;
  readonly question: string;
  readonly answer: string;
  readonly ci: string;
  readonly rfc: string;
  readonly problem: string;
  readonly vendor: string;
  openTicket(): Promise<string>;
  claimedTicket(): Promise<string>;
  onHoldTicket(): Promise<string>;
  resolvedTicket(): Promise<string>;
  newQuestion(): Promise<string>;
  newAnswer(): Promise<{ question: string; answer: string }>;
  lockedQuestion(): Promise<string>;
  newAnnouncement(): Promise<string>;
  newProblem(): Promise<string>;
  claimedRfc(): Promise<string>;
  submittedRfc(): Promise<string>;
  approvedRfc(): Promise<string>;
  scheduledRfc(): Promise<string>;
  requestedTicket(): Promise<string>;
  proposedTicket(): Promise<string>;
  pickedTicket(): Promise<string>;
}

interface Row {
  readonly invoke: (f: Fixtures) => Promise<Invocation> | Invocation;
  readonly expect: Readonly<Record<MatrixRole, Outcome>>;
}

/** Allowed for the roles listed, refused for every other. */
function allowedFor(...roles: MatrixRole[]): Record<MatrixRole, Outcome> {
  return Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? 'allowed' : 'refused'])) as Record<MatrixRole, Outcome>;
}
const EVERYONE = allowedFor(...ROLES);
/** Everyone Sportello knows in some role (a revoked volunteer holds none any more). */
const ROLE_HOLDERS = allowedFor(...ROLES.filter((r) => r !== 'unknown' && r !== 'revoked_volunteer'));
const REGISTER_READERS = ROLE_HOLDERS;
const STAFF: MatrixRole[] = ['moderator', 'committee'];
const VOLUNTEERS: MatrixRole[] = ['volunteer', ...STAFF];
/** Typed with a `/`, so it is a command whatever the grammar or an open dialog. */
const text = (t: string): Invocation => ({ text: `/${t}` });

/** One row per command of the registry: how to invoke it, and who may. */
const MATRIX: Readonly<Record<string, Row>> = {
  // ── tickets
  mine: { invoke: () => text('ticket'), expect: EVERYONE },
  status: { invoke: (f) => text(`stato ${f.ticket}`), expect: allowedFor('requester', 'ict_lead', ...VOLUNTEERS) },
  comment: { invoke: (f) => text(`commenta ${f.ticket} una prova`), expect: allowedFor('requester', 'ict_lead', ...VOLUNTEERS) },
  note: { invoke: (f) => text(`nota ${f.ticket} nota interna`), expect: allowedFor(...VOLUNTEERS) },
  // the requester side confirms and reopens (staff may step in); only the requester rates
  confirm: { invoke: async (f) => text(`conferma ${await f.resolvedTicket()}`), expect: allowedFor('requester', 'ict_lead', ...STAFF) },
  reopen: {
    invoke: async (f) => text(`riapri ${await f.resolvedTicket()} non va ancora`),
    expect: allowedFor('requester', 'ict_lead', ...STAFF),
  },
  rate: { invoke: async (f) => text(`valuta ${await f.resolvedTicket()} 5`), expect: allowedFor('requester') },
  withdraw: { invoke: async (f) => text(`ritira ${await f.openTicket()}`), expect: allowedFor('requester', 'ict_lead', ...STAFF) },
  // only certified volunteers claim (staff step in on owned tickets instead); the owner or staff move the work
  claim: { invoke: async (f) => text(`prendi ${await f.openTicket()}`), expect: allowedFor('volunteer') },
  unclaim: { invoke: async (f) => text(`rilascia ${await f.claimedTicket()}`), expect: allowedFor(...STAFF) },
  hold: { invoke: async (f) => text(`sospendi ${await f.claimedTicket()} serve la password`), expect: allowedFor(...STAFF) },
  resume: { invoke: async (f) => text(`riprendi ${await f.onHoldTicket()}`), expect: allowedFor(...STAFF) },
  resolve: { invoke: async (f) => text(`risolvi ${await f.claimedTicket()} sostituito il cavo`), expect: allowedFor(...STAFF) },
  handover: { invoke: async (f) => text(`passa ${await f.claimedTicket()} @john te lo passo`), expect: allowedFor(...STAFF) },
  // ── community
  // the community: anyone with a role writes; anyone reads and searches; the asker accepts (or staff)
  // and alone says whether an answer worked
  ask: { invoke: () => text('domanda Come si configura la PEC su Thunderbird?'), expect: ROLE_HOLDERS },
  answer: { invoke: (f) => text(`risposta ${f.question} Si configura dalle impostazioni account.`), expect: ROLE_HOLDERS },
  search: { invoke: () => text('cerca stampante di rete'), expect: EVERYONE },
  read: { invoke: (f) => text(`leggi ${f.question}`), expect: EVERYONE },
  accept: { invoke: async (f) => text(`accetta ${(await f.newAnswer()).answer}`), expect: allowedFor('requester', ...STAFF) },
  useful: { invoke: (f) => text(`utile ${f.answer}`), expect: ROLE_HOLDERS },
  worked: { invoke: (f) => text(`funziona ${f.answer} perfetto`), expect: allowedFor('requester') },
  failed: { invoke: (f) => text(`nonfunziona ${f.answer} errore di certificato`), expect: allowedFor('requester') },
  // the ticket's owner (another volunteer here) or staff
  publish: { invoke: async (f) => text(`pubblica ${await f.resolvedTicket()}`), expect: allowedFor(...STAFF) },
  articles: { invoke: () => text('articoli'), expect: EVERYONE },
  approve: { invoke: async (f) => text(`approva ${await f.newAnnouncement()}`), expect: allowedFor(...STAFF) },
  reject: { invoke: async (f) => text(`rifiuta ${await f.newAnnouncement()} fuori tema`), expect: allowedFor(...STAFF) },
  announce: { invoke: () => text('annuncio Bando regionale per la digitalizzazione'), expect: allowedFor('observer', ...STAFF) },
  hide: { invoke: async (f) => text(`nascondi ${await f.newQuestion()} spam`), expect: allowedFor(...STAFF) },
  lock: { invoke: async (f) => text(`blocca ${await f.newQuestion()} discussione chiusa`), expect: allowedFor(...STAFF) },
  unlock: { invoke: async (f) => text(`sblocca ${await f.lockedQuestion()} riaperta`), expect: allowedFor(...STAFF) },
  merge: {
    invoke: async (f) => text(`unisci ${await f.newQuestion()} ${await f.newQuestion()} doppione`),
    expect: allowedFor(...STAFF),
  },
  retag: { invoke: async (f) => text(`etichetta ${await f.newQuestion()} #posta riordino`), expect: allowedFor(...STAFF) },
  modlog: { invoke: () => text('moderazione'), expect: allowedFor(...STAFF) },
  deflection: { invoke: () => text('deflessione'), expect: allowedFor(...STAFF) },
  // ── conversation
  help: { invoke: () => text('aiuto'), expect: EVERYONE },
  cancel: { invoke: () => text('annulla'), expect: EVERYONE },
  bind: { invoke: () => ({ text: 'canale volontari', channel: true }), expect: allowedFor(...STAFF) },
  unbind: { invoke: () => ({ text: 'scollega volontari', channel: true }), expect: allowedFor(...STAFF) },
  // ── SLA, monitoring
  sla: { invoke: () => text('sla volontari P2 4h 3g'), expect: allowedFor(...STAFF) },
  agent: { invoke: () => text(`agente ${ORG_A}`), expect: allowedFor('ict_lead', ...STAFF) },
  agents: { invoke: () => text('agenti'), expect: allowedFor('ict_lead', ...VOLUNTEERS) },
  silence: { invoke: () => text(`silenzia ${ORG_A} 2h aggiornamento`), expect: allowedFor('ict_lead', ...VOLUNTEERS) },
  noisy: { invoke: () => text('rumorosi'), expect: allowedFor('ict_lead', ...VOLUNTEERS) },
  // ── ITIL
  // ITIL: the organisation's members see its items and changes; the owner (or staff) works a change,
  // the organisation's ICT lead approves it; problems are the volunteers' and staff's
  ci: { invoke: (f) => text(`ci ${f.ci}`), expect: allowedFor('requester', 'ict_lead', ...VOLUNTEERS) },
  rfc: { invoke: (f) => text(`rfc ${f.rfc}`), expect: allowedFor('requester', 'ict_lead', ...VOLUNTEERS) },
  submit: { invoke: async (f) => text(`sottoponi ${await f.claimedRfc()} normale`), expect: allowedFor(...STAFF) },
  change_approve: { invoke: async (f) => text(`approva ${await f.submittedRfc()} va bene`), expect: allowedFor('ict_lead') },
  change_reject: { invoke: async (f) => text(`rifiuta ${await f.submittedRfc()} troppo rischiosa`), expect: allowedFor('ict_lead') },
  schedule: {
    invoke: async (f) => text(`pianifica ${await f.approvedRfc()} ${WINDOW}`),
    expect: allowedFor(...STAFF),
  },
  implemented: { invoke: async (f) => text(`implementato ${await f.scheduledRfc()} tutto bene`), expect: allowedFor(...STAFF) },
  change_failed: { invoke: async (f) => text(`fallito ${await f.scheduledRfc()} non si avvia`), expect: allowedFor(...STAFF) },
  // everyone may ask; outsiders get an empty calendar (the leak check below proves it hides org A's changes)
  calendar: {
    invoke: async (f) => {
      await f.scheduledRfc();
      return text('calendario');
    },
    expect: EVERYONE,
  },
  problem: { invoke: (f) => text(`problema ${f.problem}`), expect: allowedFor(...VOLUNTEERS) },
  problems: { invoke: () => text('problemi'), expect: allowedFor(...VOLUNTEERS) },
  problem_link: { invoke: async (f) => text(`collega ${await f.openTicket()} ${f.problem}`), expect: allowedFor(...VOLUNTEERS) },
  investigate: { invoke: async (f) => text(`indaga ${await f.newProblem()}`), expect: allowedFor(...VOLUNTEERS) },
  cause: { invoke: async (f) => text(`causa ${await f.newProblem()} il driver`), expect: allowedFor(...VOLUNTEERS) },
  known_error: { invoke: async (f) => text(`errorenoto ${await f.newProblem()} riavviare`), expect: allowedFor(...VOLUNTEERS) },
  problem_resolve: { invoke: async (f) => text(`risolvi ${await f.newProblem()} driver aggiornato`), expect: allowedFor(...VOLUNTEERS) },
  problem_close: { invoke: async (f) => text(`chiudi ${await f.newProblem()}`), expect: allowedFor(...VOLUNTEERS) },
  // ── dashboard, reports
  dashboard: { invoke: () => text('cruscotto'), expect: allowedFor('ict_lead', 'observer', ...VOLUNTEERS) },
  // an organisation's report: its ICT lead, volunteers and staff (observers read the public one)
  report: { invoke: () => text(`report settimana ${ORG_A}`), expect: allowedFor('ict_lead', ...VOLUNTEERS) },
  naming: { invoke: () => text(`nominaci sì ${ORG_A}`), expect: allowedFor('ict_lead', ...STAFF) },
  // ── vendors
  // the register is public to everyone taking part (any organisation's members, vendors, observers)
  vendor: { invoke: (f) => text(`fornitore ${f.vendor}`), expect: REGISTER_READERS },
  register: { invoke: () => text('albo'), expect: REGISTER_READERS },
  catalogue: { invoke: () => text('catalogo backup'), expect: REGISTER_READERS },
  offer: {
    invoke: (f) => text(`offerta ${f.vendor} servizio backup Backup gestito | 15 € al mese | primo mese gratuito`),
    expect: allowedFor('vendor', 'moderator'),
  },
  propose: { invoke: async (f) => text(`proponi ${await f.requestedTicket()} ${f.vendor}`), expect: allowedFor('moderator') },
  pick: { invoke: async (f) => text(`scegli ${await f.proposedTicket()} ${f.vendor}`), expect: allowedFor('requester', 'ict_lead') },
  quote: {
    invoke: async (f) => text(`preventivo ${await f.pickedTicket()} 350 5 sostituzione dello switch`),
    expect: allowedFor('vendor'),
  },
  review: { invoke: (f) => text(`recensione ${f.ticket} 5 ottimo`), expect: allowedFor('requester', 'ict_lead') },
  cap: { invoke: () => text(`tetto ${ORG_A} 500`), expect: allowedFor(...STAFF) },
  committee: { invoke: () => text('comitato rinnova @vera volontario buon lavoro'), expect: allowedFor('committee') },
  decisions: { invoke: () => text('decisioni'), expect: allowedFor('observer', ...STAFF) },
  complain: { invoke: (f) => text(`segnala ${f.vendor} non risponde`), expect: REGISTER_READERS },
  certify: { invoke: () => text('certifica @gino volontario corso fatto'), expect: allowedFor('committee') },
  revoke: { invoke: () => text('revoca @gino volontario non più attivo'), expect: allowedFor('committee') },
  certified: { invoke: () => text('certificati'), expect: allowedFor(...STAFF) },
  invite: { invoke: () => text(`invita ${ORG_A}`), expect: allowedFor('ict_lead', ...STAFF) },
  // ── people
  language: { invoke: () => text('lingua it'), expect: EVERYONE },
  link: { invoke: () => text('collega'), expect: EVERYONE },
  join: { invoke: () => text('entra ABCD-EFGH'), expect: EVERYONE },
  whoami: { invoke: () => text('chisono'), expect: EVERYONE },
  // ── privacy: everyone may ask for what is held about them (delivered privately)
  privacy_export: { invoke: () => text('mieidati'), expect: EVERYONE },
  privacy_export_phrase: { invoke: () => ({ text: 'i miei dati' }), expect: EVERYONE },
};

let h: Harness;
let engine: ConversationEngine;
/** The refusal the engine met in the cell being run (recorded by a spy on the store). */
const seen: { refusal?: DomainError | undefined } = {};
const metRefusal = (): DomainError | undefined => seen.refusal;
let unknowns = 0;
let channels = 0;
const HOUR = 3_600_000;
const ids: Record<string, string> = {};
const OBSERVE = process.env.MATRIX_OBSERVE === '1';

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const say = (who: string, t: string) => h.send({ from: who, text: t });
const ref = (re: RegExp, who: string): string => {
  const found = re.exec(last(who))?.[0];
  if (!found) throw new Error(`no ${re} in "${last(who)}"`);
  return found;
};

async function incident(title: string): Promise<string> {
  const created = await h.store.transaction(async (repos) => {
    const person = (await repos.people.findPerson(ids.anna!))!;
    const notifier = new Notifier(repos, 'it');
    const ctx = { repos, clock: h.clock, actor: await actorForPerson(repos, person), notifier, defaultLocale: 'it' as const };
    const { ticket } = await createTicket(ctx, { kind: 'incident', title, description: `${title}: da stamattina`, impact: 3, urgency: 2 });
    await notifier.flush(h.clock.now());
    return ticket.ref;
  });
  await h.dispatcher.drain();
  return created;
}

const fixtures = {
  openTicket: () => incident('La stampante non stampa'),
  async claimedTicket() {
    const t = await incident('Il wifi cade');
    await say('john', `prendi ${t}`);
    return t;
  },
  async onHoldTicket() {
    const t = await fixtures.claimedTicket();
    await say('john', `sospendi ${t} serve la password del router`);
    return t;
  },
  async resolvedTicket() {
    const t = await fixtures.claimedTicket();
    await say('john', `risolvi ${t} sostituito il cavo di rete`);
    return t;
  },
  async newQuestion() {
    await say('anna', 'domanda Come si condivide una cartella in rete?');
    return ref(/Q-\d{6}/, 'anna');
  },
  async newAnswer() {
    const question = await fixtures.newQuestion();
    await say('john', `risposta ${question} Dalle proprietà della cartella, scheda Condivisione.`);
    return { question, answer: ref(/A-\d{6}/, 'john') };
  },
  async lockedQuestion() {
    const q = await fixtures.newQuestion();
    await say('marco', `blocca ${q} in pausa`);
    return q;
  },
  async newAnnouncement() {
    await say('olga', 'annuncio Corso gratuito di sicurezza informatica per gli enti');
    return ref(/AN-\d{6}/, 'olga');
  },
  async newProblem() {
    await say('marco', `problema ${ORG_A} Le stampanti si bloccano`);
    return ref(/PRB-\d{6}/, 'marco');
  },
  async claimedRfc() {
    await say('anna', 'rfc Aggiornare il firmware del firewall');
    const r = ref(/RFC-\d{6}/, 'anna');
    await say('john', `prendi ${r}`);
    return r;
  },
  async submittedRfc() {
    const r = await fixtures.claimedRfc();
    await say('john', `sottoponi ${r} normale`);
    return r;
  },
  async approvedRfc() {
    const r = await fixtures.submittedRfc();
    await say('luca', `approva ${r} ok`);
    return r;
  },
  async scheduledRfc() {
    const r = await fixtures.approvedRfc();
    await say('john', `pianifica ${r} ${WINDOW}`);
    return r;
  },
  async requestedTicket() {
    const t = await fixtures.openTicket();
    await say('anna', `fornitore ${t} rete`);
    return t;
  },
  async proposedTicket() {
    const t = await fixtures.requestedTicket();
    await say('marco', `proponi ${t} ${shared.vendor}`);
    return t;
  },
  async pickedTicket() {
    const t = await fixtures.proposedTicket();
    await say('anna', `scegli ${t} ${shared.vendor}`);
    return t;
  },
};
const shared = { ticket: '', question: '', answer: '', ci: '', rfc: '', problem: '', vendor: '' };

/** Every row written to any table from now on is logged (the matrix's "nothing changed"). */
async function logWrites(db: Kysely<unknown>): Promise<void> {
  await sql`create table matrix_writes (seq bigserial primary key, tbl text not null, op text not null)`.execute(db);
  await sql`create function matrix_log() returns trigger language plpgsql as $$
    begin insert into matrix_writes (tbl, op) values (TG_TABLE_NAME, TG_OP); return null; end $$`.execute(db);
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'matrix_writes'`.execute(db);
  for (const { name } of tables.rows)
    await sql`create trigger matrix_log after insert or update or delete on ${sql.id(name)}
      for each row execute function matrix_log()`.execute(db);
}

async function lastWrite(): Promise<number> {
  const r = await sql<{ seq: string | null }>`select max(seq) as seq from matrix_writes`.execute(h.tdb.db);
  return Number(r.rows[0]?.seq ?? 0);
}

async function writesSince(seq: number): Promise<string[]> {
  const r = await sql<{ tbl: string; op: string }>`select tbl, op from matrix_writes where seq > ${seq} order by seq`.execute(h.tdb.db);
  return r.rows.map((w) => `${w.op} ${w.tbl}`);
}

beforeAll(async () => {
  h = await createHarness();
  const a = await h.org('Associazione Il Girasole ODV', ORG_A);
  const b = await h.org('Cooperativa La Rondine', ORG_B);
  ids.anna = await h.person('anna', 'Anna Bianchi', ['requester'], a);
  ids.rita = await h.person('rita', 'Rita Rondine', ['requester'], b);
  ids.luca = await h.person('luca', 'Luca Referente', ['ict_lead'], a);
  ids.vera = await h.person('vera', 'Vera Volontaria', ['volunteer']);
  ids.rosa = await h.person('rosa', 'Rosa Revocata', ['volunteer']);
  ids.john = await h.person('john', 'John Volontario', ['volunteer']);
  ids.marco = await h.person('marco', 'Marco Moderatore', ['moderator']);
  ids.carla = await h.person('carla', 'Carla Comitato', ['committee']);
  ids.olga = await h.person('olga', 'Olga Osservatrice', ['observer']);
  ids.paolo = await h.person('paolo', 'Paolo Fornitore', []);
  ids.gino = await h.person('gino', 'Gino Nuovo', []);
  await h.store.transaction((repos) => repos.people.revokeRole(ids.rosa!, 'volunteer', null, ids.carla!, 'inattiva', h.clock.now()));
  await h.bindVolunteers('volontari');
  await h.store.channels.bind({
    purpose: 'committee',
    platform: 'web',
    conversationId: 'comitato',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });
  // Paolo's company applies and the committee certifies it: Paolo is its vendor member.
  await say('paolo', 'fornitore candidatura');
  for (const answer of ['Rete Sicura srl', '01114601006', 'Lombardia', 'rete', 'info@example.org']) await say('paolo', answer);
  await h.press('paolo', 'vendor.apply', 'send');
  shared.vendor = ref(/FOR-\d{6}/, 'paolo');
  await h.send({
    from: 'carla',
    text: `comitato approva ${shared.vendor} documenti in regola`,
    conversation: { id: 'comitato', kind: 'channel' },
  });

  const item = await h.tdb.db
    .withTables<MonitoringTables>()
    .insertInto('configuration_items')
    .values({
      organisation_id: a,
      kind: 'server',
      name: 'fw-sede',
      facts: null,
      agent_id: null,
      created_at: h.clock.now(),
      updated_at: h.clock.now(),
    })
    .returning(['number'])
    .executeTakeFirstOrThrow();
  shared.ci = `CI-${String(item.number).padStart(6, '0')}`;
  shared.ticket = await fixtures.openTicket();
  const qa = await fixtures.newAnswer();
  shared.question = qa.question;
  shared.answer = qa.answer;
  await say('anna', 'rfc Sostituire lo switch');
  shared.rfc = ref(/RFC-\d{6}/, 'anna');
  shared.problem = await fixtures.newProblem();
  h.clock.advance(HOUR);

  engine = new ConversationEngine({
    registry: REGISTRY,
    store: spyOnRefusals(h.store),
    clock: h.clock,
    defaultLocale: 'it',
    isTransient: isTransientDatabaseError,
  });
  await logWrites(h.tdb.db as Kysely<unknown>);
}, 60_000);
afterAll(() => h?.close());

/** The store, recording the domain refusal a turn's work transaction ended with. */
function spyOnRefusals(store: Store): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'transaction' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (err) {
          if (DomainError.is(err)) seen.refusal ??= err;
          throw err;
        }
      };
    },
  });
}

interface Observed {
  readonly outcome: Outcome;
  readonly why: string;
  readonly writes: readonly string[];
  /** The secrets of organisation A the answer showed. */
  readonly leaked: readonly string[];
}

async function runCell(role: MatrixRole, invocation: Invocation): Promise<Observed> {
  const from = role === 'unknown' ? `sconosciuto-${++unknowns}` : ACTOR[role];
  const conversation = invocation.channel ? { id: `canale-${++channels}`, kind: 'channel' as const } : { id: from, kind: 'dm' as const };
  const sentBefore = h.sender.sent.length;
  const seq = await lastWrite();
  seen.refusal = undefined;
  await engine.handle({
    platform: 'web',
    deliveryId: `cell-${role}-${Math.random()}`,
    conversation,
    sender: { externalId: from },
    text: invocation.text,
  });
  await h.dispatcher.drain();
  const replies = h.sender.sent
    .slice(sentBefore)
    .filter((d) => d.address.conversationId === conversation.id)
    .map((d) => [d.message.title, d.message.text].filter(Boolean).join(' | '));
  const ignored = role === 'unknown' ? new Set([...BOOKKEEPING, ...FIRST_CONTACT]) : BOOKKEEPING;
  const writes = (await writesSince(seq)).filter((w) => !ignored.has(w.split(' ')[1] ?? ''));
  const refusal = metRefusal();
  const authorization = (refusal !== undefined && AUTHORIZATION_CODES.has(refusal.code)) || replies.some((r) => REFUSAL_TEXTS.has(r));
  const leaked = SECRETS.filter((secret) => replies.some((r) => r.includes(secret)));
  const why = `${refusal ? `[${refusal.code}] ` : ''}${(replies[0] ?? '(no reply)').slice(0, 140)}`;
  return { outcome: authorization ? 'refused' : 'allowed', why, writes, leaked };
}

describe('the authorization matrix', () => {
  it('has a row for every command of the registry, and no row for a command that is gone', () => {
    const commands = REGISTRY.commands.map((c) => c.name).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(commands);
  });

  it('every command × every role is allowed or refused as the policy says; a refusal changes nothing', async () => {
    const failures: string[] = [];
    const observed: Record<string, Record<string, string>> = {};
    let cells = 0;
    /** Tables the allowed cells wrote: proof that the write log sees writes at all. */
    const allowedWrote = new Set<string>();
    for (const command of REGISTRY.commands) {
      const row = MATRIX[command.name];
      if (!row) continue; // the test above names it
      // A refusal changed nothing (asserted below), so its target is as good as new for the next
      // cell: a fresh target is made only after a cell that was allowed (and may have changed it).
      let invocation: Invocation | undefined;
      for (const role of ROLES) {
        invocation ??= await row.invoke({ ...shared, ...fixtures });
        await h.dispatcher.drain();
        const got = await runCell(role, invocation);
        if (got.outcome === 'allowed' || got.writes.length > 0) invocation = undefined;
        if (got.outcome === 'allowed') for (const w of got.writes) allowedWrote.add(w);
        cells++;
        (observed[command.name] ??= {})[role] = `${got.outcome === 'allowed' ? 'A' : 'R'} ${got.why}`;
        const want = row.expect[role];
        if (got.outcome !== want) failures.push(`${command.name} × ${role}: expected ${want}, got ${got.outcome} — ${got.why}`);
        if (got.outcome === 'refused' && got.writes.length > 0)
          failures.push(`${command.name} × ${role}: refused but wrote ${[...new Set(got.writes)].join(', ')}`);
        if (got.why.endsWith('(no reply)')) failures.push(`${command.name} × ${role}: no answer`);
        if (OUTSIDERS.includes(role) && got.leaked.length > 0)
          failures.push(`${command.name} × ${role}: shown organisation A's ${got.leaked.join(', ')} — ${got.why}`);
      }
    }
    if (OBSERVE) console.log(JSON.stringify(observed, null, 1));
    const refused = Object.values(MATRIX).reduce((n, r) => n + ROLES.filter((role) => r.expect[role] === 'refused').length, 0);
    console.log(
      `authorization matrix: ${cells} cells (${REGISTRY.commands.length} commands × ${ROLES.length} roles), ${refused} refused, ${cells - refused} allowed`,
    );
    expect(failures).toEqual([]);
    expect([...allowedWrote]).toEqual(
      expect.arrayContaining([
        'UPDATE tickets',
        'INSERT ticket_comments',
        'UPDATE problems',
        'INSERT community_questions',
        'INSERT role_grants',
      ]),
    );
    expect(cells).toBe(REGISTRY.commands.length * ROLES.length);
  }, 240_000);
});
