/**
 * The simulated monitoring fleet, in a process of its own so that its CPU (signing, JSON,
 * HTTP client) is not counted as the app's: started by bench/scale.bench.ts with IPC, told the
 * agents (id and index, whose secret is `agentSecret(i)`), then asked for runs:
 * - `rate`: open loop, `rate` signed reports a second, agents in turn (each one report = one
 *   cycle of 10 check results), for `seconds`; a report that cannot start because `maxInFlight`
 *   are already waiting is counted as shed (the server is not keeping up);
 * - `closed`: `concurrency` reports always in flight, for `seconds` (the saturation throughput).
 * Answers with the count per HTTP status and every latency in ms.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AGENT_HEADERS, REPORT_PATH, signRequest, type WireReport, type WireResult } from '../../core/alerts/protocol.ts';
import { agentSecret } from './year-load.ts';

export interface FleetRun {
  readonly mode: 'rate' | 'closed';
  readonly rate?: number;
  readonly concurrency?: number;
  readonly seconds: number;
  readonly maxInFlight?: number;
}

export interface FleetResult {
  readonly sent: number;
  readonly shed: number;
  readonly statuses: Record<string, number>;
  readonly latencies: number[];
  readonly wallMs: number;
}

type Msg = { port: number; agents: { id: string; i: number }[] } | { run: FleetRun } | { stop: true };

const CHECKS: readonly [string, WireResult['kind'], string, string][] = [
  ['cpu', 'cpu', 'cpu', '%'],
  ['carico', 'load', 'load5', ''],
  ['memoria', 'memory', 'ram', '%'],
  ['disco-root', 'disk', '/', '%'],
  ['disco-dati', 'disk', '/srv/dati', '%'],
  ['nginx', 'process', 'nginx', ''],
  ['log-app', 'log', '/var/log/app.log', ''],
  ['sito', 'http', 'https://www.example.org/', 'ms'],
  ['sito', 'tls', 'www.example.org:443', 'd'],
  ['backup', 'file_age', '/srv/backup', 'h'],
];

/** One agent in a thousand has its data disk full: its alert fires (and an incident opens) on its first report. */
function report(i: number, cycle: number): string {
  const observedAt = new Date().toISOString();
  const results: WireResult[] = CHECKS.map(([check, kind, target, unit]) => {
    const failing = i % 1000 === 7 && check === 'disco-dati';
    return {
      check,
      kind,
      target,
      status: failing ? 'crit' : 'ok',
      value: failing ? 97.5 : 10 + ((i * 7 + cycle) % 50),
      unit,
      message: failing ? '97.5% used, 1.2 GiB free of 50 GiB' : 'fine',
      observedAt,
      forSeconds: failing ? 0 : 300,
      recoverySeconds: 300,
    };
  });
  const r: WireReport = {
    agentVersion: 'scale',
    heartbeat: { periodSeconds: 60, graceSeconds: 120 },
    batches: [{ id: randomUUID(), createdAt: observedAt, results }],
  };
  return JSON.stringify(r);
}

let port = 0;
let agents: { id: string; i: number }[] = [];
let next = 0;
let cycle = 0;
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(): Promise<number> {
  const a = agents[next++ % agents.length]!;
  if (next % agents.length === 0) cycle++;
  const body = report(a.i, cycle);
  const ts = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [AGENT_HEADERS.agent]: a.id,
    [AGENT_HEADERS.timestamp]: ts,
    [AGENT_HEADERS.nonce]: nonce,
    [AGENT_HEADERS.signature]: signRequest(agentSecret(a.i), ts, nonce, body),
  };
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: REPORT_PATH, method: 'POST', headers, agent: keepAlive }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function runFleet(run: FleetRun): Promise<FleetResult> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let sent = 0;
  let shed = 0;
  let inFlight = 0;
  const start = performance.now();
  const end = start + run.seconds * 1000;
  const one = async () => {
    inFlight++;
    sent++;
    const t0 = performance.now();
    const status = await send();
    latencies.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
    inFlight--;
  };
  if (run.mode === 'closed') {
    await Promise.all(
      Array.from({ length: run.concurrency ?? 32 }, async () => {
        while (performance.now() < end) await one();
      }),
    );
  } else {
    const rate = run.rate ?? 1;
    const cap = run.maxInFlight ?? 512;
    const pending = new Set<Promise<void>>();
    let due = 0;
    while (performance.now() < end) {
      const target = Math.floor(((performance.now() - start) / 1000) * rate);
      for (; due < target; due++) {
        if (inFlight >= cap) {
          shed++;
          continue;
        }
        const p = one().finally(() => pending.delete(p));
        pending.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(pending);
  }
  return { sent, shed, statuses, latencies, wallMs: performance.now() - start };
}

process.on('message', async (m: Msg) => {
  if ('port' in m) {
    port = m.port;
    agents = m.agents;
    process.send!({ ready: true });
  } else if ('run' in m) {
    process.send!({ result: await runFleet(m.run) });
  } else {
    keepAlive.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(1)); // never outlive the benchmark
process.send!({ hello: true });
