/**
 * `sportello-agent`: the monitoring agent's command line.
 *
 *   sportello-agent enroll --server URL --code CODE --config FILE   register with a code from chat
 *   sportello-agent run --config FILE [--once]                       check and report, every interval
 *   sportello-agent check --config FILE                              run the checks once and print them
 *
 * Configuration comes from the file only (see docs/monitoring.md); the credentials are kept in
 * the state directory, readable by the agent's user only.
 */
import os from 'node:os';
import { ENROL_PATH, type WireEnrolResponse } from '../core/alerts/protocol.ts';
import { AGENT_VERSION, Agent, type AgentLog } from './agent.ts';
import { AgentClient } from './client.ts';
import { type AgentConfig, ConfigError, loadConfig } from './config.ts';
import { collectFacts } from './facts.ts';
import { currentPlatform } from './platform/index.ts';
import { credentialsFile, loadCredentials, saveCredentials } from './state.ts';
import { isoTime } from './time.ts';

const USAGE = `sportello-agent ${AGENT_VERSION}
usage:
  sportello-agent enroll --server URL --code CODE --config FILE
  sportello-agent run --config FILE [--once]
  sportello-agent check --config FILE
options:
  --state DIR   state directory (overrides stateDir in the configuration)`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { command: string; flags: Map<string, string | true> } {
  const [command = 'help', ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(key, inline);
    else if (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) flags.set(key, rest[++i]!);
    else flags.set(key, true);
  }
  return { command, flags };
}

function stderrLog(): AgentLog {
  const line = (level: string, msg: string) => process.stderr.write(`${isoTime(Date.now())} ${level} ${msg}\n`);
  return { info: (m) => line('info', m), warn: (m) => line('warn', m), error: (m) => line('error', m) };
}

async function configFrom(flags: Map<string, string | true>): Promise<AgentConfig> {
  const file = flags.get('config');
  if (typeof file !== 'string') throw new UsageError('--config FILE is required');
  const config = await loadConfig(file);
  const state = flags.get('state');
  return typeof state === 'string' ? { ...config, stateDir: state } : config;
}

async function enroll(flags: Map<string, string | true>, log: AgentLog): Promise<number> {
  const config = await configFrom(flags);
  const code = flags.get('code');
  const serverFlag = flags.get('server');
  const server = (typeof serverFlag === 'string' ? serverFlag : config.server)?.replace(/\/+$/, '');
  if (typeof code !== 'string') throw new UsageError('--code CODE is required (ask for one in chat: "agente")');
  if (!server || !/^https?:\/\//.test(server)) throw new UsageError('--server URL is required (or `server:` in the configuration)');
  const platform = currentPlatform();
  const facts = await collectFacts(platform);
  const answer = await new AgentClient(server, { caFile: config.serverCa }).post(ENROL_PATH, {
    code,
    hostname: os.hostname(),
    agentVersion: AGENT_VERSION,
    heartbeat: { periodSeconds: Math.max(1, Math.round(config.intervalSeconds)), graceSeconds: Math.round(config.graceSeconds) },
    facts,
  });
  if (answer.status !== 200) {
    const msg =
      answer.body && typeof answer.body === 'object' && 'message' in answer.body ? String(answer.body.message) : `HTTP ${answer.status}`;
    log.error(`enrolment refused: ${msg}`);
    return 1;
  }
  const r = answer.body as WireEnrolResponse;
  saveCredentials(config.stateDir, {
    server,
    agentId: r.agentId,
    secret: r.secret,
    organisation: r.organisation,
    configurationItem: r.configurationItem,
    enrolledAt: isoTime(Date.now()),
  });
  process.stdout.write(`enrolled for ${r.organisation} as ${r.configurationItem}; credentials in ${credentialsFile(config.stateDir)}\n`);
  return 0;
}

async function run(flags: Map<string, string | true>, log: AgentLog): Promise<number> {
  const config = await configFrom(flags);
  const credentials = loadCredentials(config.stateDir);
  if (!credentials) {
    log.error(
      `not enrolled: run "sportello-agent enroll --server URL --code CODE --config FILE" first (no ${credentialsFile(config.stateDir)})`,
    );
    return 1;
  }
  const agent = new Agent({ config, credentials, platform: currentPlatform(), log });
  if (flags.get('once')) {
    const outcome = await agent.cycle();
    await agent.stop();
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    return outcome.kind === 'sent' || outcome.kind === 'empty' ? 0 : 1;
  }
  log.info(
    `sportello-agent ${AGENT_VERSION}: ${config.checks.length} checks every ${config.intervalSeconds} s, reporting to ${credentials.server}`,
  );
  agent.start();
  await new Promise<void>((resolve) => {
    const bye = () => resolve();
    process.once('SIGTERM', bye);
    process.once('SIGINT', bye);
  });
  await agent.stop();
  log.info(`stopped after ${agent.cycles} cycles; ${agent.buffered} batch(es) buffered`);
  return 0;
}

async function check(flags: Map<string, string | true>): Promise<number> {
  const config = await configFrom(flags);
  const agent = new Agent({
    config,
    credentials: { server: 'http://127.0.0.1', agentId: '-', secret: '-', organisation: '-', configurationItem: '-', enrolledAt: '-' },
    platform: currentPlatform(),
    log: stderrLog(),
  });
  for (const r of await agent.collect()) {
    process.stdout.write(`${r.status.padEnd(7)} ${r.check} (${r.kind} ${r.target}): ${r.message}\n`);
  }
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const log = stderrLog();
  try {
    const { command, flags } = parseArgs(argv);
    switch (command) {
      case 'enroll':
      case 'enrol':
        return await enroll(flags, log);
      case 'run':
        return await run(flags, log);
      case 'check':
        return await check(flags);
      case 'version':
      case '--version':
        process.stdout.write(`${AGENT_VERSION}\n`);
        return 0;
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config: ${p}\n`);
      return 2;
    }
    log.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

// Not a top-level await: the bundle is CommonJS (see bin/sportello-agent.cjs).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
