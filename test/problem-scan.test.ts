/**
 * The proactive scan's rules on a real database (`repos.problems.scanPatterns`, as the hourly job
 * calls it): incidents on one configuration item make one suggestion by item, not a second one by
 * category; incidents of one organisation and category spread over several items (or none) make
 * a category suggestion; an item an open problem covers keeps its new incidents out of the
 * category count; alerts repeating make an alert suggestion.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCAN } from '../core/problems/model.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let org: string;
let anna: string;
const items: Record<string, string> = {};
const DAY = 86_400_000;

beforeAll(async () => {
  h = await createHarness();
  org = await h.org('Associazione Il Girasole ODV', '97000000001');
  anna = await h.person('anna', 'Anna Bianchi', ['requester'], org);
  for (const [name, kind] of [
    ['pc-segreteria', 'computer'],
    ['pc-cassa', 'computer'],
    ['pc-sala', 'computer'],
    ['nas-sede', 'server'],
  ] as const) {
    const { rows } = await sql<{ id: string }>`
      insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
      values (${org}, ${kind}, ${name}, ${h.clock.now()}, ${h.clock.now()}) returning id`.execute(h.tdb.db);
    items[name] = rows[0]!.id;
  }
});
afterAll(() => h.close());

async function incident(title: string, item: string | null, category: string): Promise<string> {
  const t = await h.store.tickets.insert({
    ref: await h.store.tickets.nextRef('incident'),
    kind: 'incident',
    title,
    description: title,
    category,
    impact: 3,
    urgency: 3,
    priority: 4,
    tier: 'volunteer',
    organisationId: org,
    requesterId: anna,
    configurationItemId: item ? items[item]! : null,
    idempotencyKey: null,
    createdAt: h.clock.now(),
  });
  h.clock.advance(3_600_000);
  return t.ref;
}

const since = () => new Date(h.clock.now().getTime() - DEFAULT_SCAN.windowDays * DAY);
const scan = () => h.store.problems.scanPatterns(since(), DEFAULT_SCAN);

describe('the proactive scan', () => {
  it('three incidents on one item: one suggestion by item, none by category for the same incidents', async () => {
    for (const title of ['Si blocca', 'Bloccato di nuovo', 'Ancora bloccato']) await incident(title, 'pc-segreteria', 'computer');
    const found = await scan();
    expect(found.map((c) => [c.basis, c.key])).toEqual([['ci', items['pc-segreteria']]]);
    expect(found[0]!.evidence).toMatchObject({ basis: 'ci', count: 3 });
  });

  it('three incidents of one category over different items (or none): a category suggestion, the item one unchanged', async () => {
    await incident('Lento', 'pc-cassa', 'computer');
    await incident('Non parte', 'pc-sala', 'computer');
    expect((await scan()).map((c) => c.basis)).toEqual(['ci']); // two spread incidents: not yet
    const third = await incident('Schermo nero', null, 'computer');
    const found = await scan();
    expect(found.map((c) => [c.basis, c.key])).toEqual([
      ['ci', items['pc-segreteria']],
      ['category', `${org}:computer`],
    ]);
    // The category counts only the incidents the item pattern does not already show.
    expect(found[1]!.evidence).toMatchObject({ basis: 'category', category: 'computer', count: 3 });
    expect(found[1]!.evidence.basis === 'category' && found[1]!.evidence.incidents[0]?.ref).toBe(third);
  });

  it('an open problem on the item keeps its new incidents out of the category count', async () => {
    await sql`insert into problems (ref, organisation_id, title, description, status, configuration_item_id, created_at, updated_at)
      values ('PRB-000001', ${org}, 'Guasti su pc-segreteria', '', 'new', ${items['pc-segreteria']}, ${h.clock.now()}, ${h.clock.now()})`.execute(
      h.tdb.db,
    );
    // The problem covers the item (its incidents are not linked yet): no item suggestion; the
    // spread incidents still make the category one, with the same count as before.
    await incident('Di nuovo', 'pc-segreteria', 'computer');
    const found = await scan();
    expect(found.map((c) => c.basis)).toEqual(['category']);
    expect(found[0]!.evidence).toMatchObject({ count: 3 });
  });

  it('an alert fingerprint firing three times in the window is a pattern of its own', async () => {
    const { rows } = await sql<{ id: string }>`
      insert into monitoring_agents (organisation_id, person_id, name, secret, heartbeat_seconds, grace_seconds, enrolled_at)
      values (${org}, ${anna}, 'nas-sede', 'x', 60, 120, ${h.clock.now()}) returning id`.execute(h.tdb.db);
    for (let i = 0; i < 3; i++) {
      await sql`insert into alerts (fingerprint, organisation_id, agent_id, configuration_item_id, kind, check_id, target, severity,
                 state, message, last_value, unit, opened_at, resolved_at, updated_at)
        values ('fp-nas-disk', ${org}, ${rows[0]!.id}, ${items['nas-sede']}, 'disk', 'disco', '/', 'warn', 'resolved', 'pieno', 91, '%',
                ${h.clock.now()}, ${h.clock.now()}, ${h.clock.now()})`.execute(h.tdb.db);
      h.clock.advance(3_600_000);
    }
    const found = await scan();
    const alert = found.find((c) => c.basis === 'alert');
    expect(alert?.evidence).toMatchObject({
      basis: 'alert',
      fingerprint: 'fp-nas-disk',
      checkId: 'disco',
      alerts: 3,
      configurationItemId: items['nas-sede'],
    });
  });
});
