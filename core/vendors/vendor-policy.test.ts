import { describe, expect, it } from 'vitest';
import { Actor } from '../kernel/actor.ts';
import { DomainError, type DomainErrorCode } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import type { Vendor } from './model.ts';
import { VendorPolicy } from './vendor-policy.ts';

const NOW = new Date('2026-03-02T10:00:00Z');
const actor = (personId: string, roles: Actor['roles']): Actor => ({ personId, displayName: personId, locale: 'it', roles });

const ACTORS = {
  requester: actor('req', [{ role: 'requester', organisationId: 'org-a' }]),
  colleague: actor('col', [{ role: 'requester', organisationId: 'org-a' }]),
  ictLead: actor('lead', [{ role: 'ict_lead', organisationId: 'org-a' }]),
  otherLead: actor('lead-b', [{ role: 'ict_lead', organisationId: 'org-b' }]),
  volunteer: actor('vol', [{ role: 'volunteer', organisationId: null }]),
  moderator: actor('mod', [{ role: 'moderator', organisationId: null }]),
  committee: actor('com', [{ role: 'committee', organisationId: null }]),
  observer: actor('obs', [{ role: 'observer', organisationId: null }]),
  vendorA: actor('va', [{ role: 'vendor', organisationId: null, vendorId: 'ven-a' }]),
  vendorB: actor('vb', [{ role: 'vendor', organisationId: null, vendorId: 'ven-b' }]),
  nobody: actor('nobody', []),
} as const;
type Who = keyof typeof ACTORS;

const ticket = { id: 't', ref: 'INC-000001', organisationId: 'org-a', requesterId: 'req' } as Ticket;
const vendorA = { id: 'ven-a', name: 'Rete Sicura', status: 'certified', certifiedUntil: new Date('2027-03-02') } as Vendor;
const lapsedA = { ...vendorA, certifiedUntil: new Date('2026-03-01') } as Vendor;
const suspendedA = { ...vendorA, status: 'suspended' } as Vendor;

const OPS = {
  readRegister: (a: Actor) => VendorPolicy.assertRegisterReader(a),
  request: (a: Actor) => VendorPolicy.assertRequest(a, ticket),
  propose: (a: Actor) => VendorPolicy.assertPropose(a),
  pick: (a: Actor) => VendorPolicy.assertPick(a, ticket),
  quote: (a: Actor) => VendorPolicy.assertQuote(a, vendorA, NOW),
  quoteLapsed: (a: Actor) => VendorPolicy.assertQuote(a, lapsedA, NOW),
  quoteSuspended: (a: Actor) => VendorPolicy.assertQuote(a, suspendedA, NOW),
  approveQuote: (a: Actor) => VendorPolicy.assertApproveQuote(a, ticket),
  secondApproval: (a: Actor) => VendorPolicy.assertSecondApproval(a),
  review: (a: Actor) => VendorPolicy.assertReview(a, ticket),
  publishForA: (a: Actor) => VendorPolicy.assertPublish(a, 'ven-a'),
  addMemberToA: (a: Actor) => VendorPolicy.assertAddMember(a, 'ven-a'),
  decide: (a: Actor) => VendorPolicy.assertCommittee(a),
  caps: (a: Actor) => VendorPolicy.assertStaff(a),
  ledger: (a: Actor) => VendorPolicy.assertStaffOrObserver(a),
} as const;
type Op = keyof typeof OPS;

type Outcome = 'ok' | DomainErrorCode;
const ok = 'ok';
const FB = 'forbidden';
const NC = 'vendor_not_certified';

// prettier-ignore
const EXPECTED: Record<Who, Record<Op, Outcome>> = {
  requester: {
    readRegister: ok,
    request: ok,
    propose: FB,
    pick: ok,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: ok,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  colleague: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  ictLead: {
    readRegister: ok,
    request: ok,
    propose: FB,
    pick: ok,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: ok,
    secondApproval: FB,
    review: ok,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  otherLead: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  volunteer: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  moderator: {
    readRegister: ok,
    request: ok,
    propose: ok,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: ok,
    review: FB,
    publishForA: ok,
    addMemberToA: ok,
    decide: FB,
    caps: ok,
    ledger: ok,
  },
  committee: {
    readRegister: ok,
    request: ok,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: ok,
    decide: ok,
    caps: ok,
    ledger: ok,
  },
  observer: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: ok,
  },
  // The vendor role: its own company's quotes and offers, while certified; nothing of the nonprofits' side or the committee's.
  vendorA: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: ok,
    quoteLapsed: NC,
    quoteSuspended: NC,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: ok,
    addMemberToA: ok,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  vendorB: {
    readRegister: ok,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
  nobody: {
    readRegister: FB,
    request: FB,
    propose: FB,
    pick: FB,
    quote: FB,
    quoteLapsed: FB,
    quoteSuspended: FB,
    approveQuote: FB,
    secondApproval: FB,
    review: FB,
    publishForA: FB,
    addMemberToA: FB,
    decide: FB,
    caps: FB,
    ledger: FB,
  },
};

function outcome(f: () => void): Outcome {
  try {
    f();
    return ok;
  } catch (e) {
    if (DomainError.is(e)) return e.code;
    throw e;
  }
}

describe('who may do what with vendors (the authorization matrix)', () => {
  const cases = (Object.keys(EXPECTED) as Who[]).flatMap((who) =>
    (Object.keys(OPS) as Op[]).map((op) => [who, op, EXPECTED[who][op]] as const),
  );
  it.each(cases)('%s / %s → %s', (who, op, expected) => {
    expect(outcome(() => OPS[op](ACTORS[who]))).toBe(expected);
  });

  it('only the ICT lead approves a quote: not the requester, not a moderator, not the committee, not the system', () => {
    expect(outcome(() => VendorPolicy.assertApproveQuote(Actor.system(), ticket))).toBe(FB);
  });
});
