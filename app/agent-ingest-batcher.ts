/**
 * Group commit for the agents' reports: reports of different agents that arrive while others
 * are being stored wait together and go to PostgreSQL as one transaction (`ingestReports`:
 * one statement opens them all, one stores every result), so that a busy server pays the
 * round trips and the commit's WAL flush once per group instead of once per report.
 *
 * Each report keeps its guarantees: its caller's promise settles only once its transaction has
 * committed (the HTTP answer follows it); its nonce, batch ids and alerts are recorded exactly
 * once, as alone. One report per agent is in flight at a time — a second report of an agent
 * waits until the first has committed, then goes in a later group, in arrival order — so a
 * report always reads what the one before it wrote. A group that fails is stored again one
 * report per transaction: a report PostgreSQL refuses fails alone, the others are stored.
 *
 * No timer: the first report of an idle server starts at once; a group is whatever arrived
 * (in the same tick, or while `maxInFlight` groups were running), at most `maxReports`. A report
 * with a failing check (warn, crit, unknown) may fire an alert and open an incident, a dozen
 * statements: it is stored alone, at once, beside the groups (as before group commit), so that
 * it never holds up the all-is-well reports of other agents.
 */
import { type IngestOutcome, ingestReport, ingestReports, type ReportToIngest } from '../core/alerts/ingest.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import type { Clock, Repositories, Store, Written } from '../core/kernel/ports.ts';

export interface GroupCommitOptions {
  /** Reports in one transaction at most; default 32. */
  readonly maxReports?: number;
  /** Groups being stored at once (solo reports not counted); default 2. */
  readonly maxInFlight?: number;
}

export interface AgentIngestBatcherOptions extends GroupCommitOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly log: { warn(obj: object, msg?: string): void };
  /** Told what each committed transaction wrote (outbox rows, SLA events of an incident). */
  readonly onWritten?: (written: Written) => void;
}

interface Waiting {
  readonly report: ReportToIngest;
  readonly agent: string;
  /** Stored alone, at once (a failing check), not in a group. */
  readonly solo: boolean;
  resolve(outcome: IngestOutcome): void;
  reject(err: unknown): void;
}

export class AgentIngestBatcher {
  private readonly maxReports: number;
  private readonly maxInFlight: number;
  private readonly waiting: Waiting[] = [];
  /** Agents with a report in a running group. */
  private readonly busy = new Set<string>();
  private running = 0;
  private scheduled = false;
  private readonly onCommit: { readonly onCommit: (written: Written) => void };

  constructor(private readonly opts: AgentIngestBatcherOptions) {
    this.maxReports = Math.max(1, opts.maxReports ?? 32);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    // Never throws: what committed is answered as committed.
    this.onCommit = {
      onCommit: (written) => {
        try {
          opts.onWritten?.(written);
        } catch (err) {
          opts.log.warn({ err }, 'waking the workers after an agent report failed');
        }
      },
    };
  }

  /** Stores the report (with others, or alone); settles once its transaction has committed. */
  ingest(report: ReportToIngest): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      // A failing check may fire an alert and open an incident (a dozen statements): such a
      // report goes alone, beside the groups, and never holds up the other agents' reports.
      const solo = report.report.batches.some((b) => b.results.some((r) => r.status !== 'ok'));
      this.waiting.push({ report, agent: report.agentId.toLowerCase(), solo, resolve, reject });
      // Reports arriving in the same tick go together.
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Starts what can start, in arrival order, never a report of a busy agent nor one behind an
   * earlier report of its agent: each solo report at once, alone; the others in groups while
   * fewer than `maxInFlight` run.
   */
  private pump(): void {
    for (;;) {
      const group: Waiting[] = [];
      const held = new Set<string>();
      const room = this.running < this.maxInFlight;
      for (let i = 0; i < this.waiting.length; ) {
        const w = this.waiting[i]!;
        if (this.busy.has(w.agent) || held.has(w.agent)) {
          held.add(w.agent);
          i++;
          continue;
        }
        held.add(w.agent);
        if (w.solo) {
          this.waiting.splice(i, 1);
          this.start([w], false);
        } else if (room && group.length < this.maxReports) {
          this.waiting.splice(i, 1);
          group.push(w);
        } else i++;
      }
      if (group.length === 0) return;
      this.start(group, true);
    }
  }

  private start(group: readonly Waiting[], counted: boolean): void {
    if (counted) this.running++;
    for (const w of group) this.busy.add(w.agent);
    void this.store(group).then((settled) => {
      // The group's agents are free before their callers hear back: a next report they send
      // at once can join the next group.
      if (counted) this.running--;
      for (const w of group) this.busy.delete(w.agent);
      group.forEach((w, i) => {
        const s = settled[i]!;
        if (s.status === 'fulfilled') w.resolve(s.value);
        else w.reject(s.reason);
      });
      this.pump();
    });
  }

  private deps(repos: Repositories) {
    return { repos, clock: this.opts.clock, defaultLocale: this.opts.defaultLocale };
  }

  /** The group's outcomes (never rejects): in one transaction, or one by one if that fails. */
  private async store(group: readonly Waiting[]): Promise<PromiseSettledResult<IngestOutcome>[]> {
    if (group.length > 1) {
      try {
        const outcomes = await this.opts.store.transaction(
          (repos) =>
            ingestReports(
              this.deps(repos),
              group.map((w) => w.report),
            ),
          this.onCommit,
        );
        return outcomes.map((value) => ({ status: 'fulfilled', value }));
      } catch (err) {
        this.opts.log.warn({ err, reports: group.length }, 'a group of agent reports failed: storing them one by one');
      }
    }
    // Alone: each report in its own transaction, with its own outcome or error; one after the
    // other (a failing group must not take every connection of the pool).
    const settled: PromiseSettledResult<IngestOutcome>[] = [];
    const afterGroup = group.length > 1;
    for (const { report: r } of group) {
      try {
        const value = await this.opts.store.transaction(
          (repos) => ingestReport(this.deps(repos), r.agentId, r.nonce, r.report),
          this.onCommit,
        );
        // Its nonce already recorded: most likely by the group itself, whose commit went through
        // although its answer was lost. Not a replay to refuse (401) but an outcome to retry: the
        // agent sends the batch again with a new nonce, and its batch id makes it count once.
        if (afterGroup && value.kind === 'replay')
          settled.push({ status: 'rejected', reason: new Error('report may have been stored by its group; send it again') });
        else settled.push({ status: 'fulfilled', value });
      } catch (reason) {
        settled.push({ status: 'rejected', reason });
      }
    }
    return settled;
  }
}
