/**
 * The reliability run (issue 16): the whole product on this machine under a mixed load on all
 * three platforms while faults fire, then everything counted. See bench/chaos.bench.ts for the
 * description; the parts live beside this file.
 */
import { cast, slackUsersOf } from './cast.ts';
import { type Faults, faultSchedule } from './faults.ts';
import { figures } from './figures.ts';
import { type LoadCounters, lifecycle } from './lifecycle.ts';
import { killGroupsNow, progress, sleep } from './processes.ts';
import { startTopology, type Topology } from './topology.ts';

export interface ChaosOptions {
  /** Tickets opened through the chat, spread over the three platforms. */
  readonly intakes: number;
  readonly requestersPerPlatform: number;
  readonly volunteersPerPlatform: number;
  readonly agents: number;
  readonly reportsPerAgent: number;
  readonly reportIntervalMs: number;
  /** Tickets of the SLA batch with targets of seconds (half at the start, half midway) and of hours (moved by the clock jump). */
  readonly slaShort: number;
  readonly slaLong: number;
  /** The short batch's response target, in seconds (its resolution target is twice that). */
  readonly slaResponseS: number;
  /** How long the outbox and the SLA timers may take to settle after the load before what is left counts as lost. */
  readonly settleMs: number;
  /** A Telegram fault lasts this long. */
  readonly failWindowMs: number;
  /** One step of the load (an answer, a claim) may take this long. */
  readonly stepMs: number;
}

export const FULL_RUN: ChaosOptions = {
  intakes: 90,
  requestersPerPlatform: 3,
  volunteersPerPlatform: 4,
  agents: 20,
  reportsPerAgent: 8,
  reportIntervalMs: 3_000,
  slaShort: 12,
  slaLong: 6,
  slaResponseS: 8,
  settleMs: 150_000,
  failWindowMs: 3_000,
  stepMs: 90_000,
};

/** Steps (answers, claims, comments, resolutions) of one intake, roughly: the faults are spread by them. */
const STEPS_PER_INTAKE = 9;

export async function runChaos(o: ChaosOptions): Promise<Record<string, unknown>> {
  const started = Date.now();
  const since = new Date();
  let t: Topology | undefined;
  const interrupted = () => {
    t?.closeNow();
    process.exit(130);
  };
  const onExit = () => t?.closeNow();
  process.once('exit', onExit);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    t = await startTopology({ slackUsers: slackUsersOf(o) });
    const top = t;
    const { db } = top;
    progress(`postgres on ${top.pg.port}, redis on ${top.redisPort}`);

    const { drivers, discord, sla, fleet, hooks } = await cast(top, o);

    await top.startProcesses();
    progress('2 app processes and 2 workers running');

    // The load.
    const load: Record<string, LoadCounters> = {};
    for (const d of drivers) load[d.platform] = { intakes_confirmed: 0, claim_presses: 0, comments: 0, resolutions: 0 };
    const errors: string[] = [];
    const faults: Faults = {};
    const schedule = faultSchedule(top, discord, sla, faults, o.failWindowMs);
    let firing: Promise<void> = Promise.resolve();
    let fired = 0;
    let steps = 0;
    const expectedSteps = o.intakes * STEPS_PER_INTAKE;
    const onStep = () => {
      steps++;
      const due = Math.min(schedule.length, Math.floor((steps * (schedule.length + 1)) / expectedSteps));
      while (fired < due) {
        const [name, act] = schedule[fired++]!;
        firing = firing.then(act).catch((e: unknown) => void errors.push(`fault ${name}: ${String(e).slice(0, 300)}`));
      }
    };
    const ctx = { db, stepMs: o.stepMs, knownRefs: new Set<string>(), load, onStep };

    const t0 = Date.now();
    await sla.open(Math.ceil(o.slaShort / 2), 'short');
    await sla.open(o.slaLong, 'long');
    const agents = fleet
      .run(hooks.agents, o.reportIntervalMs)
      .catch((e: unknown) => void errors.push(`agents: ${String(e).slice(0, 300)}`));
    // Each platform opens its share of the intakes (numbered across platforms, for unique titles).
    let issued = 0;
    const quota = new Map(
      drivers.map((d, i) => [d.platform, Math.floor(o.intakes / drivers.length) + (i < o.intakes % drivers.length ? 1 : 0)]),
    );
    let done = 0;
    let slaSecondHalf = false;
    const requesters = drivers.flatMap((d) => d.requesters.map((who) => ({ d, who })));
    await Promise.all(
      requesters.map(async ({ d, who }) => {
        while ((quota.get(d.platform) ?? 0) > 0) {
          quota.set(d.platform, (quota.get(d.platform) ?? 0) - 1);
          const n = ++issued;
          try {
            await lifecycle(ctx, d, who, n);
          } catch (e) {
            errors.push(`intake ${n} (${d.platform}): ${String(e).slice(0, 300)}`);
            progress(`intake ${n} (${d.platform}) failed: ${String(e).slice(0, 200)}`);
            // Leave the dialog, so this requester's next intake starts clean.
            await d.say(who, 'annulla').catch(() => {});
            await sleep(2_000);
          }
          done++;
          if (done % 5 === 0) progress(`${done}/${o.intakes} intakes done`);
          if (!slaSecondHalf && done * 2 >= o.intakes) {
            slaSecondHalf = true;
            await sla.open(Math.floor(o.slaShort / 2), 'short').catch((e: unknown) => void errors.push(`sla batch: ${String(e)}`));
          }
        }
      }),
    );
    // Faults not yet fired (a short run) fire now, while the agents and the SLA timers still run.
    while (fired < schedule.length) onStep();
    await agents;
    await firing;
    const loadMs = Date.now() - t0;
    progress(`load done in ${Math.round(loadMs / 1000)} s; settling`);

    // Settle: nothing pending in the outbox, every SLA event of the batch due and fired (or give up).
    const settleStart = Date.now();
    const settleEnd = settleStart + o.settleMs;
    for (let rounds = 0; ; ) {
      const pending = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirst()
        .then(
          (r) => Number(r?.n ?? -1),
          () => -1,
        );
      const last = await sla.lastDue().catch(() => undefined);
      const slaPending = await sla.pendingDue();
      if ((pending === 0 && slaPending === 0 && last !== undefined && last.getTime() < Date.now()) || Date.now() > settleEnd) break;
      if (++rounds % 20 === 0)
        progress(`settling: ${pending} outbox rows pending, ${slaPending} SLA events due, the last due ${last?.toISOString()}`);
      await sleep(250);
    }
    const settleMs = Date.now() - settleStart;
    progress(`settled in ${Math.round(settleMs / 1000)} s`);
    for (const c of [...top.apps, ...top.workers]) if (!c.alive) errors.push(`${c.name} is not running at the end`);

    return await figures(top, {
      o,
      drivers,
      discord,
      load,
      faults,
      errors,
      since,
      sla,
      fleet,
      started,
      loadMs,
      settleMs,
      webhooks: Object.values(hooks),
    });
  } catch (e) {
    if (t) for (const c of [...t.apps, ...t.workers]) if (c.out) progress(`--- ${c.name} (last output)\n${c.out.slice(-1500)}`);
    throw e;
  } finally {
    await t?.close();
    killGroupsNow();
    process.off('exit', onExit);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
