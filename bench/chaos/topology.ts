/**
 * What the run stands up on this machine: its own PostgreSQL server and Redis (never the shared
 * ones), the three platform fakes in this process, two app processes (`dist/main.mjs`, what
 * `npm start` runs: HTTP, Telegram and Slack webhooks; the first also holds the Discord gateway —
 * one gateway per shard) and two `sportello worker` processes (`dist/cli.mjs worker`) delivering
 * every platform's outbox.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { CONFIG_VARIABLES } from '../../app/config.ts';
import { TELEGRAM_WEBHOOK_PATH } from '../../bots/telegram/telegram-adapter.ts';
import { createDatabase, migrateToLatest } from '../../db/database.ts';
import { KyselyStore } from '../../db/kysely-store.ts';
import type { Database } from '../../db/schema.ts';
import { DiscordFake } from '../../test/fakes/discord-fake.ts';
import { SlackFake } from '../../test/fakes/slack-fake.ts';
import { TelegramFake } from '../../test/fakes/telegram-fake.ts';
import { silentLog } from '../../test/test-database.ts';
import { PostgresServer } from './postgres-server.ts';
import { Child, freePort, killGroupsNow, ROOT } from './processes.ts';
import { SLACK_EVENTS_PATH, SLACK_SIGNING_SECRET } from './slack-driver.ts';
import { TELEGRAM_SECRET } from './telegram-driver.ts';

const run = promisify(execFile);

export interface Topology {
  readonly pg: PostgresServer;
  readonly db: Kysely<Database>;
  readonly store: KyselyStore;
  readonly redis: Child;
  readonly redisPort: number;
  readonly telegram: TelegramFake;
  readonly slack: SlackFake;
  readonly discord: DiscordFake;
  /** The app processes; [0] holds the Discord gateway. */
  readonly apps: Child[];
  readonly workers: Child[];
  /** http://127.0.0.1:<port> of each app. */
  readonly appBases: string[];
  readonly telegramUrls: string[];
  readonly slackUrls: string[];
  /** Starts the app and worker processes (after the people and channels exist). */
  startProcesses(): Promise<void>;
  /** Stops everything, removes the PostgreSQL directory; safe to call twice. */
  close(): Promise<void>;
  /** For an interrupted run: kills the children and the PostgreSQL server synchronously. */
  closeNow(): void;
}

export async function startTopology(opts: { readonly slackUsers: Record<string, { realName: string }> }): Promise<Topology> {
  // The processes run the product's bundles, as `npm start` does: built now if a source changed
  // (meanwhile the database server starts).
  const built = run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT });
  built.catch(() => {});
  const pg = await PostgresServer.create(await freePort());
  let redis: Child | undefined;
  let db: Kysely<Database> | undefined;
  const fakes: { close(): Promise<void> }[] = [];
  try {
    const url = await pg.createDatabase('sportello_chaos');
    db = createDatabase(url, { max: 10 });
    await migrateToLatest(db, silentLog);
    const store = new KyselyStore(db);

    const redisPort = await freePort();
    redis = new Child(
      'redis',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { PATH: process.env['PATH'] ?? '' },
      'Ready to accept connections',
    );
    await redis.start(20_000);

    const [telegram, slack, discord] = await Promise.all([
      TelegramFake.start(),
      SlackFake.start({ users: opts.slackUsers }),
      DiscordFake.start(),
    ]);
    fakes.push(telegram, slack, discord);

    // Child processes: the environment is only what is given here.
    const baseEnv: Record<string, string> = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[1] !== undefined && !(CONFIG_VARIABLES as readonly string[]).includes(e[0]),
      ),
    );
    const common = {
      ...baseEnv,
      DATABASE_URL: url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'info',
      WEB_CHAT: 'off',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    };
    const discordEnv = { DISCORD_BOT_TOKEN: 'fake-bot-token', DISCORD_API_URL: discord.apiUrl };
    const apps: Child[] = [];
    const appBases: string[] = [];
    for (const [i, name] of ['app-a', 'app-b'].entries()) {
      const port = await freePort();
      appBases.push(`http://127.0.0.1:${port}`);
      const gateway = i === 0 ? { ...discordEnv, DISCORD_GUILD_ID: discord.guildId } : {};
      apps.push(
        new Child(
          name,
          process.execPath,
          [path.join(ROOT, 'dist', 'main.mjs')],
          { ...common, ...gateway, PORT: String(port), HOST: '127.0.0.1' },
          'Sportello ready',
        ),
      );
    }
    const workers = ['worker-1', 'worker-2'].map(
      (name) =>
        new Child(
          name,
          process.execPath,
          [path.join(ROOT, 'dist', 'cli.mjs'), 'worker'],
          { ...common, ...discordEnv },
          'sportello worker running',
        ),
    );

    let closed = false;
    const topology: Topology = {
      pg,
      db,
      store,
      redis,
      redisPort,
      telegram,
      slack,
      discord,
      apps,
      workers,
      appBases,
      telegramUrls: appBases.map((b) => `${b}${TELEGRAM_WEBHOOK_PATH}`),
      slackUrls: appBases.map((b) => `${b}${SLACK_EVENTS_PATH}`),
      startProcesses: async () => {
        await built;
        await Promise.all([...apps, ...workers].map((c) => c.start()));
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await Promise.all([...apps, ...workers].map((c) => c.kill()));
        await redis?.kill();
        await Promise.all(fakes.map((f) => f.close().catch(() => {})));
        await db?.destroy().catch(() => {});
        await pg.destroy();
        killGroupsNow();
      },
      closeNow: () => {
        killGroupsNow();
        pg.destroyNow();
      },
    };
    return topology;
  } catch (err) {
    await redis?.kill();
    await Promise.all(fakes.map((f) => f.close().catch(() => {})));
    await db?.destroy().catch(() => {});
    await pg.destroy();
    throw err;
  }
}
