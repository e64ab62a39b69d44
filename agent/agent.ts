/**
 * The agent's loop: every interval, run the checks, write the batch to the disk buffer, then
 * send what the buffer holds (oldest first) in signed reports. Every report is a heartbeat.
 * When the server is unreachable the batches wait on disk and go out, in order, once it is back;
 * a batch leaves the buffer only when the server acknowledged it (and the server skips a batch
 * it already has), so nothing is lost or counted twice.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { LIMITS, REPORT_PATH, type WireBatch, type WireReport, type WireResult } from '../core/alerts/protocol.ts';
import { type Check, type CheckContext, createCheck, type LogPosition } from './checks/index.ts';
import { AgentClient } from './client.ts';
import type { AgentConfig } from './config.ts';
import { collectFacts } from './facts.ts';
import { collectGarbage } from './gc.ts';
import type { Platform, ProcessInfo } from './platform/platform.ts';
import { Spool } from './spool.ts';
import { type Credentials, loadPositions, savePositions } from './state.ts';
import { isoTime } from './time.ts';

export const AGENT_VERSION = '0.1.0';

/** Facts change rarely: sent with the first report after a start, then every 6 hours. */
const FACTS_EVERY_MS = 6 * 3600_000;
const REPORT_MAX_BYTES = 512 * 1024;
/**
 * `start()` runs the first cycle this long after it is called, not at once. Node's start-up and the
 * bundle's allocate a few MB in a burst; V8 gives the idle half of the young generation (a 1 MB
 * semi-space) back after a scavenge only when the allocation rate it measures between garbage
 * collections is low. Started at once, the first cycle's scavenges still counted the start-up's
 * burst: both semi-spaces stayed resident for ~4 s, and that was the process's peak. After a
 * quiet second the first cycle's scavenge gives the spare one back: ~0.6 MB off the peak RSS in
 * `npm run bench -- alerts` on a loaded machine (44.5–44.7 MB instead of 45.2–45.4; pauses of 0.5 s
 * or less did nothing); on a quiet one less (44.8–45.1 MB, and 2 or 3 s did no better). With V8's
 * `gc` exposed, two collections in the pause give it back before the first cycle (see `start()`).
 */
export const FIRST_CYCLE_AFTER_MS = 1000;

export interface AgentLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface AgentOptions {
  readonly config: AgentConfig;
  readonly credentials: Credentials;
  readonly platform: Platform;
  readonly log: AgentLog;
}

export type FlushOutcome =
  | { readonly kind: 'empty' }
  | { readonly kind: 'sent'; readonly batches: number }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'refused'; readonly status: number; readonly error: string }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

export class Agent {
  private readonly checks: Check[];
  private readonly needsCmdline: boolean;
  private readonly client: AgentClient;
  private readonly spool: Spool;
  private logs: Record<string, LogPosition>;
  private dropped: number;
  private positionsDirty = false;
  private factsSentAt = 0;
  private notBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Cycles run since start (for the log and for benchmarks). */
  cycles = 0;

  constructor(private readonly opts: AgentOptions) {
    const { config } = opts;
    this.checks = config.checks.map(createCheck);
    this.needsCmdline = config.checks.some((c) => c.kind === 'process' && c.pattern !== null);
    this.client = new AgentClient(opts.credentials.server, { caFile: config.serverCa });
    const positions = loadPositions(config.stateDir);
    this.logs = { ...positions.logs };
    this.dropped = positions.droppedBatches;
    this.spool = new Spool(path.join(config.stateDir, 'spool'), config.spool, (n) => {
      this.dropped += n;
      this.positionsDirty = true;
      opts.log.warn(`buffer full: dropped the ${n} oldest batch(es) (${this.dropped} in all)`);
    });
  }

  get buffered(): number {
    return this.spool.size;
  }

  /** Runs every check once; a check that throws reports `unknown` instead of stopping the others. */
  async collect(now = new Date()): Promise<WireResult[]> {
    // One read of the process table per cycle, with command lines if any check matches on them.
    let procs: Promise<ProcessInfo[]> | undefined;
    const ctx: CheckContext = {
      platform: this.opts.platform,
      now,
      processes: () => (procs ??= this.opts.platform.processes(this.needsCmdline)),
      logPosition: (id) => this.logs[id],
      setLogPosition: (id, p) => {
        const old = this.logs[id];
        if (old?.ino !== p.ino || old.offset !== p.offset) {
          this.logs[id] = p;
          this.positionsDirty = true;
        }
      },
    };
    const observedAt = isoTime(now.getTime());
    const perCheck = await Promise.all(
      this.checks.map(async (check) => {
        const c = check.config;
        try {
          return (await check.run(ctx)).map((o) => ({ c, o }));
        } catch (err) {
          const message = `check failed: ${err instanceof Error ? err.message : String(err)}`;
          const target = 'path' in c ? c.path : 'url' in c ? c.url : c.id;
          return [{ c, o: { target, status: 'unknown' as const, value: null, unit: null, message } }];
        }
      }),
    );
    return perCheck.flat().map(({ c, o }) => ({
      check: c.id,
      kind: o.kind ?? c.kind,
      target: o.target.slice(0, LIMITS.targetChars),
      status: o.status,
      value: o.value !== null && Number.isFinite(o.value) ? o.value : null,
      unit: o.unit,
      message: o.message.slice(0, LIMITS.messageChars),
      observedAt,
      forSeconds: Math.round(c.forSeconds),
      recoverySeconds: Math.round(c.recoverySeconds),
      ...(o.evidence ? { evidence: trimEvidence(o.evidence) } : {}),
    }));
  }

  /** One cycle: collect, buffer, send. */
  async cycle(): Promise<FlushOutcome> {
    const now = new Date();
    const results = await this.collect(now);
    const batch: WireBatch = { id: randomUUID(), createdAt: isoTime(now.getTime()), results: results.slice(0, LIMITS.resultsPerBatch) };
    this.spool.append(batch);
    this.cycles++;
    const outcome = await this.flush();
    this.persist();
    return outcome;
  }

  /** Sends the buffered batches, oldest first, until the buffer is empty or the server cannot take more. */
  async flush(): Promise<FlushOutcome> {
    if (Date.now() < this.notBefore) return { kind: 'throttled', retryAfterSeconds: Math.ceil((this.notBefore - Date.now()) / 1000) };
    let sent = 0;
    while (this.spool.size > 0) {
      const { names, batches } = this.spool.peek(LIMITS.batchesPerReport, REPORT_MAX_BYTES);
      if (names.length === 0) break;
      const withFacts = Date.now() - this.factsSentAt >= FACTS_EVERY_MS;
      const report: WireReport = {
        agentVersion: AGENT_VERSION,
        heartbeat: {
          periodSeconds: Math.max(1, Math.round(this.opts.config.intervalSeconds)),
          graceSeconds: Math.round(this.opts.config.graceSeconds),
        },
        ...(withFacts ? { facts: await collectFacts(this.opts.platform) } : {}),
        droppedBatches: this.dropped,
        batches,
      };
      let answer;
      try {
        answer = await this.client.post(REPORT_PATH, report, {
          agentId: this.opts.credentials.agentId,
          secret: this.opts.credentials.secret,
        });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        this.opts.log.warn(`server unreachable (${error}); ${this.spool.size} batch(es) kept on disk`);
        return { kind: 'unreachable', error };
      }
      if (answer.status === 200) {
        this.spool.remove(names);
        if (withFacts) this.factsSentAt = Date.now();
        sent += names.length;
        continue;
      }
      const error = describe(answer.body);
      if (answer.status === 429) {
        const wait = answer.retryAfterSeconds ?? 30;
        this.notBefore = Date.now() + wait * 1000;
        this.opts.log.warn(`server busy: retrying in ${wait} s`);
        return { kind: 'throttled', retryAfterSeconds: wait };
      }
      if (answer.status === 400 || answer.status === 413) {
        // The server will never take these batches: keeping them would block the buffer for good.
        this.spool.remove(names);
        this.dropped += names.length;
        this.positionsDirty = true;
        this.opts.log.error(`server refused ${names.length} batch(es) as invalid (${error}); dropped`);
        return { kind: 'refused', status: answer.status, error };
      }
      // 401 (credentials revoked, clock far off) or a server error: keep everything and retry later.
      this.opts.log.error(`server answered ${answer.status} (${error}); ${this.spool.size} batch(es) kept on disk`);
      return { kind: 'refused', status: answer.status, error };
    }
    return sent > 0 ? { kind: 'sent', batches: sent } : { kind: 'empty' };
  }

  private persist(): void {
    if (!this.positionsDirty) return;
    savePositions(this.opts.config.stateDir, { logs: this.logs, droppedBatches: this.dropped });
    this.positionsDirty = false;
  }

  /**
   * Cycles every interval until `stop()`, the first after a short pause (see FIRST_CYCLE_AFTER_MS);
   * a slow cycle delays the next one, never overlaps it.
   *
   * Garbage is collected at set moments (a no-op unless V8's `gc` is exposed, see ./gc.ts): twice
   * in the pause — the first scavenge closes the start-up's burst, the second, half a second of
   * quiet later, gives the spare semi-space back before the first cycle instead of during it —
   * then when each cycle ends, its garbage all dead: one cheap scavenge a cycle that gives its
   * pages back, and a full collection after the first cycle for what start-up and first-time
   * compilation left in the old generation. With the lighter /proc reads (platform/linux.ts):
   * peak RSS 43.7–43.8 MB instead of 44.5–44.7 in `npm run bench -- alerts`, CPU per cycle the same.
   */
  start(): void {
    const every = this.opts.config.intervalSeconds * 1000;
    let first = true;
    const loop = async () => {
      if (this.stopped) return;
      const started = Date.now();
      this.running = this.cycle().then(
        () => undefined,
        (err: unknown) => this.opts.log.error(`cycle failed: ${err instanceof Error ? err.message : String(err)}`),
      );
      await this.running;
      this.running = undefined;
      collectGarbage('minor');
      if (first) collectGarbage('full');
      first = false;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), Math.max(0, every - (Date.now() - started)));
    };
    const half = FIRST_CYCLE_AFTER_MS / 2;
    this.timer = setTimeout(() => {
      collectGarbage('minor');
      this.timer = setTimeout(() => {
        collectGarbage('minor');
        void loop();
      }, FIRST_CYCLE_AFTER_MS - half);
    }, half);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.persist();
  }
}

function trimEvidence(e: NonNullable<WireResult['evidence']>): NonNullable<WireResult['evidence']> {
  return {
    ...(e.lines ? { lines: e.lines.slice(-LIMITS.evidenceLines).map((l) => l.slice(0, LIMITS.evidenceLineChars)) } : {}),
    ...(e.details
      ? {
          details: Object.fromEntries(
            Object.entries(e.details)
              .slice(0, 20)
              .map(([k, v]) => [k.slice(0, 40), typeof v === 'string' ? v.slice(0, 200) : v]),
          ),
        }
      : {}),
  };
}

function describe(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' ? body.slice(0, 200) : 'no details';
}
