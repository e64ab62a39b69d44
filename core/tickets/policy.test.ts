import { describe, expect, it } from 'vitest';
import { Actor } from '../kernel/actor.ts';
import { DomainError, type DomainErrorCode } from '../kernel/errors.ts';
import type { Role } from '../kernel/person.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { Policy } from './policy.ts';

const ORG_A = 'org-a';
const ORG_B = 'org-b';

const actor = (personId: string, roles: Actor['roles']): Actor => ({ personId, displayName: personId, locale: 'it', roles });

const ACTORS = {
  requesterA: actor('req-a', [{ role: 'requester', organisationId: ORG_A }]),
  colleagueA: actor('colleague-a', [{ role: 'requester', organisationId: ORG_A }]),
  requesterB: actor('req-b', [{ role: 'requester', organisationId: ORG_B }]),
  ictLeadA: actor('lead-a', [{ role: 'ict_lead', organisationId: ORG_A }]),
  ictLeadB: actor('lead-b', [{ role: 'ict_lead', organisationId: ORG_B }]),
  volunteer: actor('vol', [{ role: 'volunteer', organisationId: null }]),
  otherVolunteer: actor('vol-2', [{ role: 'volunteer', organisationId: null }]),
  moderator: actor('mod', [{ role: 'moderator', organisationId: null }]),
  committee: actor('com', [{ role: 'committee', organisationId: null }]),
  // Members of vendor companies: the ticket below is engaged to none, so they see nothing of it.
  vendorA: actor('ven-a-1', [{ role: 'vendor', organisationId: null, vendorId: 'ven-a' }]),
  vendorB: actor('ven-b-1', [{ role: 'vendor', organisationId: null, vendorId: 'ven-b' }]),
  nobody: actor('nobody', []),
} as const;
type ActorName = keyof typeof ACTORS;

/** A change of org A, requested by requesterA and assigned to volunteer. */
const ticket: Ticket = {
  id: 'ticket-uuid',
  ref: 'RFC-000001',
  kind: 'change',
  title: 'Nuovo Wi-Fi',
  description: 'Sostituire il router',
  category: null,
  impact: 2,
  urgency: 3,
  priority: 4,
  tier: 'volunteer',
  status: 'in_progress',
  pendingOn: null,
  organisationId: ORG_A,
  requesterId: 'req-a',
  assigneeId: 'vol',
  vendorId: null,
  configurationItemId: null,
  rating: null,
  createdAt: new Date('2026-01-12T09:00:00Z'),
  updatedAt: new Date('2026-01-12T09:00:00Z'),
  resolvedAt: null,
  closedAt: null,
};

const grant = (role: Role) => (a: Actor) => Policy.assertGrant(a, role);

const OPS = {
  read: (a: Actor) => Policy.assertRead(a, ticket),
  createForA: (a: Actor) => Policy.assertCreate(a, ORG_A),
  commentPublic: (a: Actor) => Policy.assertComment(a, ticket, false),
  commentInternal: (a: Actor) => Policy.assertComment(a, ticket, true),
  claim: (a: Actor) => Policy.assertClaim(a, ticket),
  'transition claim': (a: Actor) => Policy.assertTransition(a, ticket, 'claim'),
  confirm: (a: Actor) => Policy.assertTransition(a, ticket, 'confirm'),
  reopen: (a: Actor) => Policy.assertTransition(a, ticket, 'reopen'),
  cancel: (a: Actor) => Policy.assertTransition(a, ticket, 'cancel'),
  hold: (a: Actor) => Policy.assertTransition(a, ticket, 'hold'),
  resolve: (a: Actor) => Policy.assertTransition(a, ticket, 'resolve'),
  approve: (a: Actor) => Policy.assertTransition(a, ticket, 'approve'),
  reject: (a: Actor) => Policy.assertTransition(a, ticket, 'reject'),
  grantVolunteer: grant('volunteer'),
  grantRequester: grant('requester'),
  grantIctLead: grant('ict_lead'),
  grantModerator: grant('moderator'),
  bindChannel: (a: Actor) => Policy.assertBindChannel(a),
} as const;
type OpName = keyof typeof OPS;

type Outcome = 'ok' | DomainErrorCode;
const ok = 'ok';
const NF = 'not_found';
const FB = 'forbidden';
const NV = 'not_volunteer';
const NO = 'not_owner';

/** Someone who may not read the ticket gets not_found for everything about it. */
const outsider: Record<OpName, Outcome> = {
  read: NF,
  createForA: FB,
  commentPublic: NF,
  commentInternal: NF,
  claim: NF,
  'transition claim': NF,
  confirm: NF,
  reopen: NF,
  cancel: NF,
  hold: NF,
  resolve: NF,
  approve: NF,
  reject: NF,
  grantVolunteer: FB,
  grantRequester: FB,
  grantIctLead: FB,
  grantModerator: FB,
  bindChannel: FB,
};

// prettier-ignore
const EXPECTED: Record<ActorName, Record<OpName, Outcome>> = {
  requesterA: {
    read: ok,
    createForA: ok,
    commentPublic: ok,
    commentInternal: FB,
    claim: NV,
    'transition claim': NV,
    confirm: ok,
    reopen: ok,
    cancel: ok,
    hold: NO,
    resolve: NO,
    approve: FB,
    reject: FB,
    grantVolunteer: FB,
    grantRequester: FB,
    grantIctLead: FB,
    grantModerator: FB,
    bindChannel: FB,
  },
  // Same organisation, but not the requester: reads and comments, does not act for the requester.
  colleagueA: {
    read: ok,
    createForA: ok,
    commentPublic: ok,
    commentInternal: FB,
    claim: NV,
    'transition claim': NV,
    confirm: FB,
    reopen: FB,
    cancel: FB,
    hold: NO,
    resolve: NO,
    approve: FB,
    reject: FB,
    grantVolunteer: FB,
    grantRequester: FB,
    grantIctLead: FB,
    grantModerator: FB,
    bindChannel: FB,
  },
  requesterB: { ...outsider },
  ictLeadA: {
    read: ok,
    createForA: ok,
    commentPublic: ok,
    commentInternal: FB,
    claim: NV,
    'transition claim': NV,
    confirm: ok,
    reopen: ok,
    cancel: ok,
    hold: NO,
    resolve: NO,
    approve: ok,
    reject: ok,
    grantVolunteer: FB,
    grantRequester: FB,
    grantIctLead: FB,
    grantModerator: FB,
    bindChannel: FB,
  },
  ictLeadB: { ...outsider },
  // The assignee.
  volunteer: {
    read: ok,
    createForA: FB,
    commentPublic: ok,
    commentInternal: ok,
    claim: ok,
    'transition claim': ok,
    confirm: FB,
    reopen: FB,
    cancel: ok,
    hold: ok,
    resolve: ok,
    approve: FB,
    reject: FB,
    grantVolunteer: FB,
    grantRequester: FB,
    grantIctLead: FB,
    grantModerator: FB,
    bindChannel: FB,
  },
  otherVolunteer: {
    read: ok,
    createForA: FB,
    commentPublic: ok,
    commentInternal: ok,
    claim: ok,
    'transition claim': ok,
    confirm: FB,
    reopen: FB,
    cancel: FB,
    hold: NO,
    resolve: NO,
    approve: FB,
    reject: FB,
    grantVolunteer: FB,
    grantRequester: FB,
    grantIctLead: FB,
    grantModerator: FB,
    bindChannel: FB,
  },
  moderator: {
    read: ok,
    createForA: ok,
    commentPublic: ok,
    commentInternal: ok,
    claim: NV,
    'transition claim': NV,
    confirm: ok,
    reopen: ok,
    cancel: ok,
    hold: ok,
    resolve: ok,
    approve: FB,
    reject: FB,
    grantVolunteer: FB,
    grantRequester: ok,
    grantIctLead: ok,
    grantModerator: FB,
    bindChannel: ok,
  },
  committee: {
    read: ok,
    createForA: ok,
    commentPublic: ok,
    commentInternal: ok,
    claim: NV,
    'transition claim': NV,
    confirm: ok,
    reopen: ok,
    cancel: ok,
    hold: ok,
    resolve: ok,
    approve: ok,
    reject: ok,
    grantVolunteer: ok,
    grantRequester: ok,
    grantIctLead: ok,
    grantModerator: ok,
    bindChannel: ok,
  },
  vendorA: { ...outsider },
  vendorB: { ...outsider },
  nobody: { ...outsider },
};

const cases = (Object.keys(EXPECTED) as ActorName[]).flatMap((who) =>
  (Object.keys(OPS) as OpName[]).map((op) => [who, op, EXPECTED[who][op]] as const),
);

function outcome(run: () => void): { code: Outcome; error?: DomainError } {
  try {
    run();
    return { code: 'ok' };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { code: e.code, error: e };
  }
}

describe('Policy on a ticket of org A (requested by requesterA, assigned to volunteer)', () => {
  it.each(cases)('%s / %s → %s', (who, op, expected) => {
    const result = outcome(() => OPS[op](ACTORS[who]));
    expect(result.code).toBe(expected);
    // Refusals that name the ticket carry its ref for the user message.
    if (expected === 'not_found' || expected === 'not_owner') expect(result.error?.params).toEqual({ ref: ticket.ref });
  });

  it('canRead agrees with assertRead', () => {
    for (const who of Object.keys(ACTORS) as ActorName[]) expect(Policy.canRead(ACTORS[who], ticket)).toBe(EXPECTED[who].read === 'ok');
  });

  it("reading another organisation's ticket looks exactly like a ticket that does not exist", () => {
    const other = outcome(() => Policy.assertRead(ACTORS.requesterB, ticket)).error;
    const missing = new DomainError('not_found', { ref: ticket.ref });
    expect(other?.code).toBe(missing.code);
    expect(other?.params).toEqual(missing.params);
    expect(other?.messageKey).toBe(missing.messageKey);
  });

  it('isWorker: the assignee and staff, nobody else', () => {
    const workers = (Object.keys(ACTORS) as ActorName[]).filter((who) => Policy.isWorker(ACTORS[who], ticket));
    expect(workers.sort()).toEqual(['committee', 'moderator', 'volunteer']);
  });

  it('the system actor (CLI, jobs) may do everything', () => {
    for (const op of Object.keys(OPS) as OpName[]) {
      if (op === 'claim' || op === 'transition claim') continue; // claiming needs a real volunteer
      expect(outcome(() => OPS[op](Actor.system())).code, op).toBe('ok');
    }
  });

  it('an unassigned ticket: only staff move the work', () => {
    const queued: Ticket = { ...ticket, status: 'new', assigneeId: null };
    expect(outcome(() => Policy.assertTransition(ACTORS.volunteer, queued, 'resolve')).code).toBe('not_owner');
    expect(outcome(() => Policy.assertTransition(ACTORS.moderator, queued, 'resolve')).code).toBe('ok');
    expect(outcome(() => Policy.assertClaim(ACTORS.volunteer, queued)).code).toBe('ok');
  });

  it('an ICT lead of org A may not approve changes of another organisation', () => {
    const ofB: Ticket = { ...ticket, organisationId: ORG_B, requesterId: 'req-b' };
    expect(outcome(() => Policy.assertTransition(ACTORS.ictLeadA, ofB, 'approve')).code).toBe('not_found');
    expect(outcome(() => Policy.assertTransition(ACTORS.ictLeadB, ofB, 'approve')).code).toBe('ok');
  });

  describe('the vendor tier: a ticket engaged to vendor A, claimed by one of its members', () => {
    const engaged: Ticket = {
      ...ticket,
      kind: 'incident',
      tier: 'vendor',
      vendorId: 'ven-a',
      assigneeId: 'ven-a-1',
      status: 'in_progress',
    };
    const colleague = actor('ven-a-2', [{ role: 'vendor', organisationId: null, vendorId: 'ven-a' }]);
    const both = actor('ven-ab', [
      { role: 'vendor', organisationId: null, vendorId: 'ven-b' },
      { role: 'vendor', organisationId: null, vendorId: 'ven-a' },
    ]);
    const ops = {
      read: (a: Actor) => Policy.assertRead(a, engaged),
      commentPublic: (a: Actor) => Policy.assertComment(a, engaged, false),
      commentInternal: (a: Actor) => Policy.assertComment(a, engaged, true),
      hold: (a: Actor) => Policy.assertTransition(a, engaged, 'hold'),
      resolve: (a: Actor) => Policy.assertTransition(a, engaged, 'resolve'),
      confirm: (a: Actor) => Policy.assertTransition(a, engaged, 'confirm'),
      claimQueued: (a: Actor) => Policy.assertClaim(a, { ...engaged, status: 'new', assigneeId: null }),
    } as const;
    // prettier-ignore
    const matrix: [string, Actor, Record<keyof typeof ops, Outcome>][] = [
      [
        'the assignee (vendor A)',
        ACTORS.vendorA,
        { read: ok, commentPublic: ok, commentInternal: ok, hold: ok, resolve: ok, confirm: FB, claimQueued: ok },
      ],
      [
        'a colleague at vendor A',
        colleague,
        { read: ok, commentPublic: ok, commentInternal: ok, hold: NO, resolve: NO, confirm: FB, claimQueued: ok },
      ],
      [
        'a member of vendors A and B',
        both,
        { read: ok, commentPublic: ok, commentInternal: ok, hold: NO, resolve: NO, confirm: FB, claimQueued: ok },
      ],
      [
        'a member of vendor B',
        ACTORS.vendorB,
        { read: NF, commentPublic: NF, commentInternal: NF, hold: NF, resolve: NF, confirm: NF, claimQueued: NF },
      ],
      [
        'a volunteer',
        ACTORS.volunteer,
        { read: ok, commentPublic: ok, commentInternal: ok, hold: NO, resolve: NO, confirm: FB, claimQueued: FB },
      ],
      [
        'the requester',
        ACTORS.requesterA,
        { read: ok, commentPublic: ok, commentInternal: FB, hold: NO, resolve: NO, confirm: ok, claimQueued: FB },
      ],
      [
        'a moderator',
        ACTORS.moderator,
        { read: ok, commentPublic: ok, commentInternal: ok, hold: ok, resolve: ok, confirm: ok, claimQueued: FB },
      ],
      [
        'another organisation',
        ACTORS.requesterB,
        { read: NF, commentPublic: NF, commentInternal: NF, hold: NF, resolve: NF, confirm: NF, claimQueued: NF },
      ],
    ];
    it.each(matrix.flatMap(([who, a, row]) => (Object.keys(ops) as (keyof typeof ops)[]).map((op) => [who, op, a, row[op]] as const)))(
      '%s / %s',
      (_who, op, a, expected) => {
        expect(outcome(() => ops[op](a)).code).toBe(expected);
      },
    );

    it('once the engagement ends (vendorId cleared) its former vendor sees nothing', () => {
      const back: Ticket = { ...engaged, tier: 'volunteer', vendorId: null, assigneeId: null, status: 'new' };
      expect(Policy.canRead(ACTORS.vendorA, back)).toBe(false);
      expect(Policy.canRead(colleague, back)).toBe(false);
    });

    it('a vendor member who is also a volunteer claims volunteer-tier tickets as a volunteer, not vendor-tier ones of others', () => {
      const volunteerVendor = actor('vv', [
        { role: 'volunteer', organisationId: null },
        { role: 'vendor', organisationId: null, vendorId: 'ven-b' },
      ]);
      expect(outcome(() => Policy.assertClaim(volunteerVendor, { ...ticket, status: 'new', assigneeId: null })).code).toBe(ok);
      expect(outcome(() => Policy.assertClaim(volunteerVendor, { ...engaged, status: 'new', assigneeId: null })).code).toBe(FB);
    });
  });
});
