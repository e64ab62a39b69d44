/**
 * A small, realistic Italian data set for trying Sportello out: three nonprofits with their
 * members, volunteers, a moderator and a committee member who can all log into the web chat,
 * channels bound in the web chat, and tickets in every common state.
 */

import { Actor } from '../core/kernel/actor.ts';
import type { UseCaseContext } from '../core/kernel/context.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Person, Role } from '../core/kernel/person.ts';
import type { ChannelPurpose, Clock, Repositories, Store } from '../core/kernel/ports.ts';
import type { Impact, TicketKind, Urgency } from '../core/kernel/ticket.ts';
import { grantRole } from '../core/people/manage-roles.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { changeTicketStatus, type StatusAction } from '../core/tickets/change-ticket-status.ts';
import { claimTicket } from '../core/tickets/claim-ticket.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { seedCommunityDemo } from './seed-community-demo.ts';

/** The fiscal code whose presence means the demo data is already there. */
export const DEMO_MARKER_FISCAL_CODE = '97000000001';

const ORGANISATIONS = [
  { key: 'girasole', name: 'Associazione Il Girasole ODV', fiscalCode: '97000000001', runtsNumber: '45812' },
  { key: 'rondine', name: 'Cooperativa Sociale La Rondine', fiscalCode: '97000000002', runtsNumber: '51377' },
  { key: 'banco', name: 'Banco Alimentare di Quartiere APS', fiscalCode: '97000000003', runtsNumber: '60294' },
] as const;
type OrgKey = (typeof ORGANISATIONS)[number]['key'];

interface DemoPerson {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly role: Role;
  readonly org?: OrgKey;
}

const PEOPLE: readonly DemoPerson[] = [
  { name: 'Maria Bianchi', email: 'maria.bianchi@ilgirasole.example.org', phone: '+39 333 100 0101', role: 'requester', org: 'girasole' },
  { name: 'Luca Ferrari', email: 'luca.ferrari@ilgirasole.example.org', phone: '+39 333 100 0102', role: 'ict_lead', org: 'girasole' },
  { name: 'Francesca Russo', email: 'segreteria@larondine.example.org', phone: '+39 347 200 0201', role: 'requester', org: 'rondine' },
  { name: 'Paolo Esposito', email: 'paolo.esposito@larondine.example.org', phone: '+39 347 200 0202', role: 'ict_lead', org: 'rondine' },
  { name: 'Anna Romano', email: 'anna.romano@bancoquartiere.example.org', phone: '+39 320 300 0301', role: 'requester', org: 'banco' },
  {
    name: 'Giorgio Colombo',
    email: 'giorgio.colombo@bancoquartiere.example.org',
    phone: '+39 320 300 0302',
    role: 'ict_lead',
    org: 'banco',
  },
  { name: 'Giulia Rossi', email: 'giulia.rossi@volontari.example.org', phone: '+39 340 400 0401', role: 'volunteer' },
  { name: 'Marco Ricci', email: 'marco.ricci@volontari.example.org', phone: '+39 340 400 0402', role: 'volunteer' },
  { name: 'Sara Marino', email: 'sara.marino@volontari.example.org', phone: '+39 340 400 0403', role: 'volunteer' },
  { name: 'Elena Greco', email: 'elena.greco@sportello.example.org', phone: '+39 351 500 0501', role: 'moderator' },
  { name: 'Roberto Conti', email: 'roberto.conti@sportello.example.org', phone: '+39 351 500 0502', role: 'committee' },
];

const CHANNELS: readonly { readonly conversationId: string; readonly purpose: ChannelPurpose }[] = [
  { conversationId: 'volontari', purpose: 'volunteers' },
  { conversationId: 'comitato', purpose: 'committee' },
  { conversationId: 'allerte', purpose: 'alerts' },
  { conversationId: 'community', purpose: 'community' },
];

/** One demo ticket: who opens it, and the moves (by whom) that bring it to its state. */
interface DemoTicket {
  readonly requester: string;
  readonly kind: TicketKind;
  readonly title: string;
  readonly description: string;
  readonly impact: Impact;
  readonly urgency: Urgency;
  readonly hoursAgo: number;
  readonly owner?: string;
  readonly moves?: readonly { readonly by: 'owner' | 'requester'; readonly action: StatusAction; readonly note?: string }[];
}

const TICKETS: readonly DemoTicket[] = [
  {
    requester: 'Maria Bianchi',
    kind: 'incident',
    title: "La stampante dell'ufficio non stampa",
    description: 'La stampante HP della segreteria segnala "carta inceppata" ma non c\'è carta bloccata. Da stamattina non stampa nessuno.',
    impact: 2,
    urgency: 2,
    hoursAgo: 2,
  },
  {
    requester: 'Paolo Esposito',
    kind: 'change',
    title: 'Spostare la posta sul nuovo dominio',
    description: 'Vorremmo passare le caselle email da larondine-coop.it al nuovo dominio larondine.org entro fine mese.',
    impact: 1,
    urgency: 3,
    hoursAgo: 5,
  },
  {
    requester: 'Francesca Russo',
    kind: 'service_request',
    title: 'Casella email per la nuova volontaria',
    description: 'Serve una casella email per Chiara, che da lunedì segue il servizio di doposcuola.',
    impact: 3,
    urgency: 3,
    hoursAgo: 20,
    owner: 'Marco Ricci',
  },
  {
    requester: 'Anna Romano',
    kind: 'incident',
    title: 'Il gestionale delle donazioni non si apre',
    description: "Il programma per registrare le donazioni si chiude subito dopo il login. Sabato c'è la raccolta al supermercato.",
    impact: 1,
    urgency: 1,
    hoursAgo: 26,
    owner: 'Giulia Rossi',
    moves: [{ by: 'owner', action: 'start' }],
  },
  {
    requester: 'Luca Ferrari',
    kind: 'incident',
    title: 'Wi-Fi molto lento nella sala riunioni',
    description: 'Nella sala riunioni la connessione cade di continuo durante le videochiamate con i soci.',
    impact: 2,
    urgency: 3,
    hoursAgo: 50,
    owner: 'Sara Marino',
    moves: [
      { by: 'owner', action: 'start' },
      { by: 'owner', action: 'hold', note: 'Puoi dirmi marca e modello del router? È scritto sotto, su un adesivo.' },
    ],
  },
  {
    requester: 'Francesca Russo',
    kind: 'service_request',
    title: 'Installare LibreOffice sui PC della segreteria',
    description: 'Ci servono LibreOffice e il lettore PDF sui tre PC della segreteria.',
    impact: 3,
    urgency: 2,
    hoursAgo: 72,
    owner: 'Giulia Rossi',
    moves: [
      { by: 'owner', action: 'start' },
      { by: 'owner', action: 'resolve', note: 'Installati LibreOffice e il lettore PDF su tutti e tre i PC.' },
    ],
  },
  {
    requester: 'Giorgio Colombo',
    kind: 'incident',
    title: "PC della cassa bloccato all'avvio",
    description: 'Il PC usato per la cassa resta fermo sulla schermata del logo e non parte.',
    impact: 2,
    urgency: 1,
    hoursAgo: 120,
    owner: 'Marco Ricci',
    moves: [
      { by: 'owner', action: 'start' },
      { by: 'owner', action: 'resolve', note: "Riparato il disco con il controllo all'avvio e aggiornato Windows." },
      { by: 'requester', action: 'confirm' },
    ],
  },
];

export interface SeedDemoResult {
  /** False when the demo data was already there (nothing was written). */
  readonly seeded: boolean;
  readonly organisations: number;
  readonly people: number;
  readonly tickets: readonly string[];
}

/**
 * Writes the demo data in one transaction, through the same use cases the chat uses, so
 * histories and outbox notices are real. Does nothing if the organisation with fiscal code
 * 97000000001 exists.
 */
export async function seedDemo(store: Store, clock: Clock, opts: { readonly locale?: Locale } = {}): Promise<SeedDemoResult> {
  const locale = opts.locale ?? 'it';
  return store.transaction(async (repos) => {
    if (await repos.people.findOrganisationByFiscalCode(DEMO_MARKER_FISCAL_CODE))
      return { seeded: false, organisations: 0, people: 0, tickets: [] };
    const now = clock.now();
    const notifier = new Notifier(repos, locale);
    const contextFor = (actor: Actor, at: Date): UseCaseContext => ({
      repos,
      clock: { now: () => at },
      actor,
      notifier,
      defaultLocale: locale,
    });
    const system = contextFor(Actor.system(), now);

    const orgIds = new Map<OrgKey, string>();
    for (const o of ORGANISATIONS) {
      const org = await createOrganisation(repos, clock, o);
      orgIds.set(o.key, org.id);
    }
    // Roles and web identities before any channel is bound: no grant announcements to replay.
    const people = new Map<string, Person>();
    for (const p of PEOPLE) {
      const person = await createPerson(repos, clock, { displayName: p.name, email: p.email, phone: p.phone, locale: 'it' });
      people.set(p.name, person);
      await grantRole(system, {
        handle: person.handle,
        role: p.role,
        organisationId: p.org ? (orgIds.get(p.org) ?? null) : null,
        reason: 'dati dimostrativi',
      });
    }
    for (const person of people.values())
      await repos.people.linkIdentity({ platform: 'web', externalId: person.handle, personId: person.id, lastSeenAt: now });
    const moderator = people.get('Elena Greco');
    for (const c of CHANNELS)
      await repos.channels.bind({
        purpose: c.purpose,
        platform: 'web',
        conversationId: c.conversationId,
        threadId: null,
        organisationId: null,
        boundBy: moderator?.id ?? null,
        boundAt: now,
      });

    const refs: string[] = [];
    for (const spec of TICKETS) refs.push(await seedTicket(repos, spec, people, now, contextFor));
    await seedCommunityDemo(repos, people, now, contextFor);
    await notifier.flush(now);
    return { seeded: true, organisations: ORGANISATIONS.length, people: PEOPLE.length, tickets: refs };
  });
}

async function seedTicket(
  repos: Repositories,
  spec: DemoTicket,
  people: ReadonlyMap<string, Person>,
  now: Date,
  contextFor: (actor: Actor, at: Date) => UseCaseContext,
): Promise<string> {
  const actorOf = async (name: string) => {
    const person = people.get(name);
    if (!person) throw new Error(`demo person ${name} missing`);
    return actorForPerson(repos, person);
  };
  // Each step an hour after the previous one, so the history reads like real work.
  let at = now.getTime() - spec.hoursAgo * 3_600_000;
  const next = () => new Date((at += 3_600_000));
  const requester = await actorOf(spec.requester);
  const { ticket } = await createTicket(contextFor(requester, new Date(at)), {
    kind: spec.kind,
    title: spec.title,
    description: spec.description,
    impact: spec.impact,
    urgency: spec.urgency,
  });
  if (!spec.owner) return ticket.ref;
  const owner = await actorOf(spec.owner);
  await claimTicket(contextFor(owner, next()), ticket.ref);
  for (const move of spec.moves ?? [])
    await changeTicketStatus(contextFor(move.by === 'owner' ? owner : requester, next()), ticket.ref, move.action, move.note);
  return ticket.ref;
}
