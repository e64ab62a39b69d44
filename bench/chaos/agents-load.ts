/**
 * Simulated monitoring agents: each sends signed reports over HTTP to the apps in turn, one batch
 * per report, its data disk critical from the second report on (so each agent fires one alert,
 * which opens one incident). A report refused or broken is sent again with the same batch (a new
 * nonce and signature, as the agent's buffer does), and every third report is sent a second time
 * after it was accepted (an answer lost on the way back).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { createEnrolmentCode, enrolAgent } from '../../core/alerts/enrolment.ts';
import { AGENT_HEADERS, REPORT_PATH, signRequest, type WireReport, type WireResult } from '../../core/alerts/protocol.ts';
import { Actor } from '../../core/kernel/actor.ts';
import { Notifier } from '../../core/kernel/notifier.ts';
import type { Store } from '../../core/kernel/ports.ts';
import type { Database } from '../../db/schema.ts';
import { sleep } from './processes.ts';
import type { Webhooks } from './webhooks.ts';

/** Checks per report; the disk one turns critical. */
const CHECKS = 3;

interface Creds {
  readonly agentId: string;
  readonly secret: string;
}

export interface AgentFigures {
  readonly agents: number;
  readonly reports_sent: number;
  readonly reports_resent: number;
  readonly expected: { readonly batches: number; readonly results: number; readonly alerts: number; readonly incidents: number };
  readonly stored: { readonly batches: number; readonly results: number; readonly alerts: number; readonly incidents: number };
  readonly lost: number;
  readonly duplicated: number;
}

export class AgentFleet {
  sent = 0;
  resent = 0;
  private constructor(
    private readonly creds: readonly Creds[],
    private readonly reports: number,
  ) {}

  /** Enrols `agents` agents of the organisation with `fiscalCode`, as the CLI's enrolment code does. */
  static async enrol(store: Store, fiscalCode: string, agents: number, reports: number): Promise<AgentFleet> {
    const clock = { now: () => new Date() };
    const creds: Creds[] = [];
    for (let i = 0; i < agents; i++)
      creds.push(
        await store.transaction(async (repos) => {
          const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
          const { code } = await createEnrolmentCode(ctx, { fiscalCode });
          const r = await enrolAgent({ repos, clock, defaultLocale: 'it' }, { code, hostname: `server-caos-${i}`, agentVersion: 'chaos' });
          return { agentId: r.agent.id, secret: r.secret };
        }),
      );
    return new AgentFleet(creds, reports);
  }

  /** Every agent sends its reports, `intervalMs` apart, all agents at once. */
  async run(webhooks: Webhooks, intervalMs: number): Promise<void> {
    for (let r = 0; r < this.reports; r++) {
      await Promise.all(this.creds.map((c) => this.send(webhooks, c, r)));
      if (r < this.reports - 1) await sleep(intervalMs);
    }
  }

  private async send(webhooks: Webhooks, c: Creds, r: number): Promise<void> {
    const body = JSON.stringify(report(r));
    const post = async (base: string) => {
      const res = await fetch(`${base}${REPORT_PATH}`, {
        method: 'POST',
        headers: signed(c, body),
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      return res.status;
    };
    await webhooks.deliver(post);
    this.sent++;
    if (r % 3 === 1) {
      await webhooks.deliver(post);
      this.resent++;
    }
  }

  /** What the database holds of the agents' reports against what they sent. */
  async figures(db: Kysely<Database>): Promise<AgentFigures> {
    const ids = this.creds.map((c) => c.agentId);
    const n = ids.length;
    const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(db)).rows[0]!;
    const counts = await one<{
      batches: number;
      results: number;
      alerts: number;
      fingerprints: number;
      incidents: number;
      with_incident: number;
    }>(sql`
      select
        (select count(*)::int from agent_batches where agent_id = any(${ids})) as batches,
        (select count(*)::int from check_results where agent_id = any(${ids})) as results,
        (select count(*)::int from alerts where agent_id = any(${ids})) as alerts,
        (select count(distinct fingerprint)::int from alerts where agent_id = any(${ids})) as fingerprints,
        (select count(*)::int from tickets t where t.id in (select incident_id from alerts where agent_id = any(${ids}))
           or (t.category = 'monitoring' and t.title like '%server-caos-%')) as incidents,
        (select count(*)::int from alerts where agent_id = any(${ids}) and incident_id is not null) as with_incident`);
    const expected = { batches: n * this.reports, results: n * this.reports * CHECKS, alerts: n, incidents: n };
    const lost =
      Math.max(0, expected.batches - counts.batches) +
      Math.max(0, expected.results - counts.results) +
      Math.max(0, expected.alerts - counts.fingerprints) +
      Math.max(0, expected.incidents - counts.with_incident);
    const duplicated =
      Math.max(0, counts.batches - expected.batches) +
      Math.max(0, counts.results - expected.results) +
      (counts.alerts - counts.fingerprints) +
      Math.max(0, counts.incidents - counts.with_incident);
    return {
      agents: n,
      reports_sent: this.sent,
      reports_resent: this.resent,
      expected,
      stored: { batches: counts.batches, results: counts.results, alerts: counts.alerts, incidents: counts.incidents },
      lost,
      duplicated,
    };
  }
}

/** Report `r`: one batch; the data disk is critical from the second report on. */
function report(r: number): WireReport {
  const observedAt = new Date().toISOString();
  const result = (check: string, kind: 'cpu' | 'memory' | 'disk', target: string, crit: boolean): WireResult => ({
    check,
    kind,
    target,
    status: crit ? 'crit' : 'ok',
    value: crit ? 98.5 : 20 + r,
    unit: '%',
    message: crit ? '98.5% used, 0.7 GiB free of 50 GiB' : 'fine',
    observedAt,
    forSeconds: 0,
    recoverySeconds: 300,
  });
  return {
    agentVersion: 'chaos',
    heartbeat: { periodSeconds: 60, graceSeconds: 600 },
    batches: [
      {
        id: randomUUID(),
        createdAt: observedAt,
        results: [
          result('cpu', 'cpu', 'cpu', false),
          result('memoria', 'memory', 'ram', false),
          result('disco-dati', 'disk', '/srv/dati', r >= 1),
        ],
      },
    ],
  };
}

function signed(c: Creds, body: string): Record<string, string> {
  const ts = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  return {
    'content-type': 'application/json',
    [AGENT_HEADERS.agent]: c.agentId,
    [AGENT_HEADERS.timestamp]: ts,
    [AGENT_HEADERS.nonce]: nonce,
    [AGENT_HEADERS.signature]: signRequest(c.secret, ts, nonce, body),
  };
}
