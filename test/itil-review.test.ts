/**
 * Findings of the review of issue 14, each proven on the engine with the real database:
 * - two approvers of a shared-infrastructure change deciding at the same moment approve it
 *   (neither sees only its own approval and leaves it waiting);
 * - names typed by people (a configuration item's, an owner's) reach the committee channel's
 *   approval request without the power to ping everyone;
 * - a known error's article, public to every organisation, carries neither the organisation's
 *   nor the requester's name nor their phone number when the problem was opened from an incident.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, chai, describe, expect, it } from 'vitest';
import { listChanges } from '../core/changes/change-view.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { createHarness, type Harness } from './engine-harness.ts';

chai.config.truncateThreshold = 0;
let h: Harness;
let girasole: string;
const ids: Record<string, string> = {};
const COMMITTEE = { id: 'comitato', kind: 'channel' as const };

async function item(orgId: string, name: string): Promise<string> {
  const { rows } = await sql<{ number: number }>`
    insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
    values (${orgId}, 'network_device', ${name}, ${h.clock.now()}, ${h.clock.now()}) returning number`.execute(h.tdb.db);
  return `CI-${String(rows[0]?.number).padStart(6, '0')}`;
}

beforeAll(async () => {
  h = await createHarness();
  girasole = await h.org('Associazione Il Girasole ODV', '97000000001');
  ids.anna = await h.person('anna', 'Anna Bianchi', ['requester'], girasole);
  ids.luca = await h.person('luca', 'Luca Referente', ['ict_lead'], girasole);
  ids.vale = await h.person('vale', '@channel Vale', ['volunteer']);
  ids.carla = await h.person('carla', 'Carla Comitato', ['committee']);
  await h.bindVolunteers('volontari');
  for (const [purpose, id] of [
    ['committee', 'comitato'],
    ['community', 'community'],
  ] as const)
    await h.store.channels.bind({
      purpose,
      platform: 'web',
      conversationId: id,
      threadId: null,
      organisationId: null,
      boundBy: null,
      boundAt: h.clock.now(),
    });
});
afterAll(() => h.close());

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const say = (who: string, text: string) => h.send({ from: who, text });

/** Anna asks for a change, Vale takes it and submits it as touching shared infrastructure. */
async function sharedChange(title: string, itemRef: string): Promise<string> {
  await say('anna', `rfc ${title}`);
  const ref = /RFC-\d{6}/.exec(last('anna'))?.[0] ?? '';
  await say('vale', `prendi ${ref}`);
  await say('vale', `sottoponi ${ref} normale condivisa ${itemRef}`);
  expect((await h.store.tickets.findByRef(ref))?.status).toBe('awaiting_approval');
  return ref;
}

describe('two approvers at once', () => {
  it('the ICT lead and the committee approving at the same moment approve the change', async () => {
    const ci = await item(girasole, 'switch-sede');
    const ref = await sharedChange('Nuovo switch nella sede', ci);
    await Promise.all([h.press('luca', 'change.approve', ref), h.press('carla', 'change.approve', ref, COMMITTEE)]);
    const ticket = await h.store.tickets.findByRef(ref);
    expect(ticket?.status).toBe('approved');
    expect((await h.store.changes.listApprovals(ticket?.id ?? '')).map((a) => `${a.slot}:${a.decision}`).sort()).toEqual([
      'committee:approved',
      'organisation:approved',
    ]);
  });
});

describe('names in the committee channel', () => {
  it("an item's name and the owner's name cannot ping the committee channel", async () => {
    const ci = await item(girasole, '@everyone <!here> core-switch');
    const ref = await sharedChange('Cambio del core switch', ci);
    const request = h.sender.to('comitato').findLast((d) => d.message.title?.includes(ref));
    const shown = JSON.stringify(request?.message);
    expect(shown).toContain('core-switch');
    expect(shown).toContain('Vale');
    expect(shown).not.toMatch(/@everyone|@channel|<!here>/);
  });
});

describe("a known error's article", () => {
  it("leaves out the organisation's and the requester's names and phone of the incident it came from", async () => {
    const ref = await h.store.transaction(async (repos) => {
      const person = await repos.people.findPerson(ids.anna ?? '');
      if (!person) throw new Error('no anna');
      const notifier = new Notifier(repos, 'it');
      const ctx = { repos, clock: h.clock, actor: await actorForPerson(repos, person), notifier, defaultLocale: 'it' as const };
      const { ticket } = await createTicket(ctx, {
        kind: 'incident',
        title: 'Anna Bianchi del Girasole: la stampante non va, chiamatemi al 333 7654321',
        description: 'da stamattina',
        impact: 3,
        urgency: 2,
      });
      await notifier.flush(h.clock.now());
      return ticket.ref;
    });
    await h.dispatcher.drain();
    await say('vale', `problema ${ref}`);
    const prb = /PRB-\d{6}/.exec(last('vale'))?.[0] ?? '';
    await say('vale', `errorenoto ${prb} Riavviare lo spooler; se non basta, Anna Bianchi chiami il 333 7654321`);
    const kb = /KB-\d{6}/.exec(last('vale'))?.[0] ?? '';
    const article = await h.store.community.findArticle(kb);
    expect(article?.status).toBe('published');
    const text = `${article?.title}\n${article?.body}`;
    expect(text).toContain(prb);
    expect(text).toContain('la stampante non va');
    expect(text).toContain('Riavviare lo spooler');
    expect(text).not.toMatch(/Anna|Bianchi|Girasole|7654321/);
    // The requester herself is told the workaround as written.
    expect(last('anna')).toContain('Anna Bianchi chiami il 333 7654321');
  });
});

describe('the list of changes', () => {
  it("a member's newest changes are not crowded out by other organisations' newer ones", async () => {
    await h.org('Cooperativa La Rondine', '97000000002');
    await say('anna', 'rfc Cambiare il router');
    const mine = /RFC-\d{6}/.exec(last('anna'))?.[0];
    for (const title of ['Nuovo NAS', 'Nuovo firewall']) {
      h.clock.advance(60_000);
      await say('vale', `rfc 97000000002 ${title}`);
    }
    const views = await h.store.transaction(async (repos) => {
      const person = await repos.people.findPerson(ids.anna ?? '');
      if (!person) throw new Error('no anna');
      const ctx = {
        repos,
        clock: h.clock,
        actor: await actorForPerson(repos, person),
        notifier: new Notifier(repos, 'it'),
        defaultLocale: 'it' as const,
      };
      return listChanges(ctx, { limit: 1 });
    });
    expect(views.map((v) => v.ref)).toEqual([mine]);
    expect(views.every((v) => v.organisation !== 'Cooperativa La Rondine')).toBe(true);
  });
});
