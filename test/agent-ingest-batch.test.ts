/**
 * Group commit of the agents' reports (`app/agent-ingest-batcher.ts`) on a real database:
 * concurrent agents' reports go in fewer transactions, each stored, deduplicated and alerted on
 * exactly as alone; a report with a failing check goes alone, beside the groups; a second report
 * of an agent waits for its first; a report PostgreSQL refuses fails alone, the rest of its group
 * is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentIngestBatcher } from '../app/agent-ingest-batcher.ts';
import { createEnrolmentCode, enrolAgent } from '../core/alerts/enrolment.ts';
import type { IngestOutcome } from '../core/alerts/ingest.ts';
import type { CheckStatus, WireReport } from '../core/alerts/protocol.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Store } from '../core/kernel/ports.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
const FISCAL = '97000000222';
const MIN = 60_000;

/** The harness's store, counting the transactions it runs. */
let transactions = 0;
let counting: Store;

beforeAll(async () => {
  h = await createHarness();
  const orgId = await h.org('Associazione Le Querce ODV', FISCAL);
  await h.person('lia', 'Lia Referente', ['ict_lead'], orgId);
  await h.bindVolunteers('volontari');
  await h.store.channels.bind({
    purpose: 'alerts',
    platform: 'web',
    conversationId: 'allerte',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });
  counting = Object.assign(Object.create(h.store) as Store, {
    transaction: ((work, opts) => {
      transactions++;
      return h.store.transaction(work, opts);
    }) as Store['transaction'],
  });
});
afterAll(() => h.close());

async function enrol(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      await h.store.transaction(async (repos) => {
        const ctx = { repos, clock: h.clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
        const { code } = await createEnrolmentCode(ctx, { fiscalCode: FISCAL });
        const r = await enrolAgent(
          { repos, clock: h.clock, defaultLocale: 'it' },
          { code, hostname: `pc-${randomUUID()}`, agentVersion: 't' },
        );
        return r.agent.id;
      }),
    );
  return ids;
}

/** A report of one batch: the disk check's status once a minute, ending now. */
function reportOf(statuses: CheckStatus[], batchId: string = randomUUID()): WireReport {
  const now = h.clock.now().getTime();
  return {
    agentVersion: 't',
    heartbeat: { periodSeconds: 60, graceSeconds: 120 },
    batches: [
      {
        id: batchId,
        createdAt: new Date(now).toISOString(),
        results: statuses.map((status, i) => ({
          check: 'disco',
          kind: 'disk',
          target: '/',
          status,
          value: status === 'ok' ? 40 : 97,
          unit: '%',
          message: `${status} sample`,
          observedAt: new Date(now - (statuses.length - 1 - i) * MIN).toISOString(),
          forSeconds: 300,
          recoverySeconds: 300,
        })),
      },
    ],
  };
}

const nonce = () => randomBytes(16).toString('hex');
const batcher = (over: { maxReports?: number; maxInFlight?: number } = {}) =>
  new AgentIngestBatcher({ store: counting, clock: h.clock, defaultLocale: 'it', log: { warn() {} }, ...over });

async function count(table: string, agentIds: readonly string[]): Promise<number> {
  const r = await h.tdb.db
    .withTables<Record<string, { agent_id: string }>>()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agent_id', 'in', [...agentIds])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const CRIT_6 = ['crit', 'crit', 'crit', 'crit', 'crit', 'crit'] as CheckStatus[]; // bad for 5 minutes: fires (crit → incident)

describe('group commit of agent reports', () => {
  it('concurrent reports of different agents go in one transaction, each stored once; alerts fire and resolve once each', async () => {
    const agents = await enrol(12);
    const b = batcher();
    transactions = 0;
    const reports = agents.map(() => reportOf(['ok']));
    const outcomes = await Promise.all(agents.map((agentId, i) => b.ingest({ agentId, nonce: nonce(), report: reports[i]! })));
    expect(transactions).toBe(1);
    expect(outcomes).toEqual(agents.map(() => ({ kind: 'stored', accepted: 1, duplicates: 0, results: 1 }) satisfies IngestOutcome));
    expect(await count('agent_nonces', agents)).toBe(12);
    expect(await count('agent_batches', agents)).toBe(12);
    expect(await count('check_results', agents)).toBe(12);
    expect(await count('check_states', agents)).toBe(12);

    // The same batches sent again by every agent (lost answers), together: recognised, nothing stored twice.
    transactions = 0;
    const again = await Promise.all(agents.map((agentId, i) => b.ingest({ agentId, nonce: nonce(), report: reports[i]! })));
    expect(transactions).toBe(1);
    expect(again.every((o) => o.kind === 'stored' && o.accepted === 0 && o.duplicates === 1)).toBe(true);
    expect(await count('agent_batches', agents)).toBe(12);
    expect(await count('check_results', agents)).toBe(12);

    // Half of the disks fill up for long enough to fire: those reports go alone, at once (they
    // fire and open incidents), beside one group of the others, even with one group at a time.
    h.clock.advance(6 * MIN);
    const one = batcher({ maxInFlight: 1 });
    transactions = 0;
    await Promise.all(agents.map((agentId, i) => one.ingest({ agentId, nonce: nonce(), report: reportOf(i % 2 === 0 ? CRIT_6 : ['ok']) })));
    expect(transactions).toBe(1 + 6);
    type Row = { id: string; agent_id: string; state: string; severity: string; incident_id: string | null };
    const alertsNow = () =>
      h.tdb.db.withTables<{ alerts: Row }>().selectFrom('alerts').selectAll().where('agent_id', 'in', agents).execute();
    const fired = await alertsNow();
    expect(fired.map((a) => a.agent_id).sort()).toEqual(agents.filter((_, i) => i % 2 === 0).sort());
    expect(fired.every((a) => a.state === 'firing' && a.severity === 'crit' && a.incident_id !== null)).toBe(true);
    expect(new Set(fired.map((a) => a.incident_id)).size).toBe(6);
    await h.dispatcher.drain();
    const posted = h.sender.to('allerte').filter((d) => !d.editMessageId);
    expect(posted).toHaveLength(6); // one message per alert

    // All is well again for longer than the recovery: one group, each alert resolved once, its
    // message edited (no new one).
    h.clock.advance(6 * MIN);
    transactions = 0;
    const ok6 = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'] as CheckStatus[];
    await Promise.all(agents.map((agentId) => b.ingest({ agentId, nonce: nonce(), report: reportOf(ok6) })));
    expect(transactions).toBe(1);
    const resolved = await alertsNow();
    expect(resolved).toHaveLength(6);
    expect(resolved.every((a) => a.state === 'resolved')).toBe(true);
    await h.dispatcher.drain();
    expect(h.sender.to('allerte').filter((d) => !d.editMessageId)).toHaveLength(6);
    for (const p of posted) expect(h.sender.to('allerte').filter((d) => d.editMessageId === p.messageId)).toHaveLength(1);
  });

  it('a report of an agent waits for its earlier one (a later group) and reads what it wrote; a resent batch counts once', async () => {
    const [a, b, c] = await enrol(3);
    const g = batcher();
    transactions = 0;
    const batch = randomUUID();
    const [first, other, resent, second] = await Promise.all([
      g.ingest({ agentId: a!, nonce: nonce(), report: reportOf(['ok', 'ok', 'ok'], batch) }),
      g.ingest({ agentId: b!, nonce: nonce(), report: reportOf(['ok']) }),
      // The same batch again (the answer was lost), in a new request, while the first is pending.
      g.ingest({ agentId: a!, nonce: nonce(), report: reportOf(['ok', 'ok', 'ok'], batch) }),
      g.ingest({ agentId: c!, nonce: nonce(), report: reportOf(['ok']) }),
    ]);
    expect(first).toMatchObject({ kind: 'stored', accepted: 1, results: 3 });
    expect(other).toMatchObject({ kind: 'stored', accepted: 1 });
    expect(second).toMatchObject({ kind: 'stored', accepted: 1 });
    expect(resent).toEqual({ kind: 'stored', accepted: 0, duplicates: 1, results: 0 });
    expect(transactions).toBe(2); // a, b, c together; a's second report after
    expect(await count('check_results', [a!])).toBe(3);

    // Bad for 3 minutes, then 2 more in the next report, sent before the first is answered (each
    // alone: a failing check): the second continues from the state the first wrote and fires once.
    h.clock.advance(4 * MIN);
    const bad3 = reportOf(['crit', 'crit', 'crit', 'crit']);
    h.clock.advance(2 * MIN);
    const [x, y] = await Promise.all([
      g.ingest({ agentId: a!, nonce: nonce(), report: bad3 }),
      g.ingest({ agentId: a!, nonce: nonce(), report: reportOf(['crit']) }),
    ]);
    expect([x, y]).toMatchObject([{ kind: 'stored' }, { kind: 'stored' }]);
    const alerts = await h.tdb.db
      .withTables<{ alerts: { agent_id: string } }>()
      .selectFrom('alerts')
      .select('agent_id')
      .where('agent_id', '=', a!)
      .execute();
    expect(alerts).toHaveLength(1);
  });

  it('a report PostgreSQL refuses fails alone: the others of its group are stored, each in its own transaction', async () => {
    const agents = await enrol(5);
    const bad = agents[2]!;
    await sql
      .raw(
        `create function refuse_bad_agent() returns trigger language plpgsql as $$ begin
           raise exception 'refused for the test'; end $$;
         create trigger refuse_bad_agent before insert on check_results for each row
           when (new.agent_id = '${bad}') execute function refuse_bad_agent()`,
      )
      .execute(h.tdb.db);
    try {
      const g = batcher();
      transactions = 0;
      const settled = await Promise.allSettled(agents.map((agentId) => g.ingest({ agentId, nonce: nonce(), report: reportOf(['ok']) })));
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/refused for the test/);
      expect(transactions).toBe(1 + 5); // the group, then each alone
      expect(await count('check_results', agents)).toBe(4);
      expect(await count('agent_batches', agents)).toBe(4);
      // Nothing of the refused report stayed: not its nonce, not its batch.
      expect(await count('agent_nonces', [bad])).toBe(0);
    } finally {
      await sql.raw('drop trigger refuse_bad_agent on check_results; drop function refuse_bad_agent()').execute(h.tdb.db);
    }
  });

  it('a group whose commit went through but whose answer was lost: its reports are to be sent again, not refused as replays', async () => {
    const agents = await enrol(2);
    let lose = true;
    const lossy = Object.assign(Object.create(h.store) as Store, {
      transaction: (async (work, opts) => {
        const result = await h.store.transaction(work, opts);
        if (lose) {
          lose = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return result;
      }) as Store['transaction'],
    });
    const g = new AgentIngestBatcher({ store: lossy, clock: h.clock, defaultLocale: 'it', log: { warn() {} } });
    const reports = agents.map((agentId) => ({ agentId, nonce: nonce(), report: reportOf(['ok']) }));
    const settled = await Promise.allSettled(reports.map((r) => g.ingest(r)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    // Sent again by the agent (a new nonce, the same batch): recognised, counted once.
    const again = await Promise.all(reports.map((r) => g.ingest({ ...r, nonce: nonce() })));
    expect(again.map((o) => o.kind)).toEqual(['stored', 'stored']);
    expect(await count('check_results', agents)).toBe(2);
    expect(await count('agent_batches', agents)).toBe(2);
  });

  it('an unknown agent and a replayed nonce in a group are told apart from the stored reports', async () => {
    const [a, b] = await enrol(2);
    const g = batcher();
    const n = nonce();
    expect(await g.ingest({ agentId: a!, nonce: n, report: reportOf(['ok']) })).toMatchObject({ kind: 'stored' });
    transactions = 0;
    const outcomes = await Promise.all([
      g.ingest({ agentId: a!, nonce: n, report: reportOf(['ok']) }),
      g.ingest({ agentId: randomUUID(), nonce: nonce(), report: reportOf(['ok']) }),
      g.ingest({ agentId: 'not-a-uuid', nonce: nonce(), report: reportOf(['ok']) }),
      g.ingest({ agentId: b!, nonce: nonce(), report: reportOf(['ok']) }),
    ]);
    expect(transactions).toBe(1);
    expect(outcomes.map((o) => o.kind)).toEqual(['replay', 'unknown_agent', 'unknown_agent', 'stored']);
    expect(await count('check_results', [a!])).toBe(1);
  });

  it('groups hold at most maxReports, and at most maxInFlight run at once', async () => {
    const agents = await enrol(7);
    const g = batcher({ maxReports: 3, maxInFlight: 1 });
    transactions = 0;
    const outcomes = await Promise.all(agents.map((agentId) => g.ingest({ agentId, nonce: nonce(), report: reportOf(['ok']) })));
    expect(outcomes.every((o) => o.kind === 'stored')).toBe(true);
    expect(transactions).toBe(3);
  });
});
