/**
 * The one place that reads the environment. `loadConfig` validates every variable at once and
 * reports all problems together, one line each, naming the variable.
 */
import { z } from 'zod';
import type { Locale } from '../core/kernel/i18n.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Slack: HTTP mode when `signingSecret` is set, Socket Mode when `appToken` is set. */
export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | undefined;
  readonly appToken: string | undefined;
  readonly apiUrl: string | undefined;
}

/** Telegram: webhook mode when `webhookSecret` is set, long polling otherwise. */
export interface TelegramConfig {
  readonly botToken: string;
  readonly apiRoot: string | undefined;
  readonly webhookSecret: string | undefined;
}

export interface DiscordConfig {
  readonly botToken: string;
  readonly applicationId: string | undefined;
  readonly apiUrl: string | undefined;
  /** Registers the slash commands in this guild only (instant) instead of globally. */
  readonly guildId: string | undefined;
}

/** The validated configuration; an adapter's section is present only when its token is set. */
export interface Config {
  readonly port: number;
  /** Unset → the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Unset → BullMQ's PostgreSQL backend. */
  readonly redisUrl: string | undefined;
  readonly defaultLocale: Locale;
  readonly logLevel: LogLevel;
  /** The externally reachable base URL (webhook registration, links in messages). */
  readonly publicUrl: string | undefined;
  readonly slack: SlackConfig | undefined;
  readonly telegram: TelegramConfig | undefined;
  readonly discord: DiscordConfig | undefined;
  /**
   * The built-in web chat. It authenticates nobody (a demo identity is picked in the browser),
   * so it is on by default only when no platform is configured, and then `host` is loopback.
   */
  readonly webChat: boolean;
  /** Interface the HTTP server binds: 127.0.0.1 while the web chat is on, all interfaces otherwise. */
  readonly host: string;
  /** WEB_CHAT_PUBLIC=yes: the operator knowingly serves the unauthenticated web chat beyond this machine. */
  readonly webChatPublic: boolean;
  /**
   * Months a closed ticket keeps its personal data (titles, descriptions, comments) before the
   * daily retention job replaces them (`RETENTION_MONTHS`, default 24). Unset in a hand-built
   * config means the default.
   */
  readonly retentionMonths?: number;
}

/** Every variable `loadConfig` reads. */
export const CONFIG_VARIABLES = [
  'PORT',
  'DATABASE_URL',
  'DATA_DIR',
  'REDIS_URL',
  'DEFAULT_LOCALE',
  'LOG_LEVEL',
  'PUBLIC_URL',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_API_ROOT',
  'TELEGRAM_WEBHOOK_SECRET',
  'DISCORD_BOT_TOKEN',
  'DISCORD_APPLICATION_ID',
  'DISCORD_API_URL',
  'DISCORD_GUILD_ID',
  'WEB_CHAT',
  'HOST',
  'WEB_CHAT_PUBLIC',
  'RETENTION_MONTHS',
] as const;
type Variable = (typeof CONFIG_VARIABLES)[number];

// Never echoed back in error messages.
const SECRETS: ReadonlySet<Variable> = new Set<Variable>([
  'DATABASE_URL',
  'REDIS_URL',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'DISCORD_BOT_TOKEN',
]);

/** Thrown by `loadConfig`; `message` holds one line per problem, also in `problems`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol.slice(0, -1));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.toLowerCase())
    .refine((s): s is T => (values as readonly string[]).includes(s), { message: `must be one of ${values.join(', ')}` })
    .transform((s) => s as T);

const secret = z.string().refine((s) => !/\s/.test(s), { message: 'must not contain spaces' });
const httpUrl = url(['http', 'https']);

const schema = z.object({
  PORT: z
    .string()
    .refine((s) => /^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535, {
      message: 'must be an integer between 1 and 65535',
    })
    .transform(Number)
    .default(3000),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  DATA_DIR: z.string().default('./.data'),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  DEFAULT_LOCALE: oneOf<Locale>(['it', 'en']).default('it'),
  LOG_LEVEL: oneOf<LogLevel>(LOG_LEVELS).default('info'),
  PUBLIC_URL: httpUrl.optional(),
  SLACK_BOT_TOKEN: secret.optional(),
  SLACK_SIGNING_SECRET: secret.optional(),
  SLACK_APP_TOKEN: secret.optional(),
  SLACK_API_URL: httpUrl.optional(),
  TELEGRAM_BOT_TOKEN: secret.optional(),
  TELEGRAM_API_ROOT: httpUrl.optional(),
  // Telegram's own rule for the secret_token of setWebhook.
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .refine((s) => /^[A-Za-z0-9_-]{1,256}$/.test(s), { message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' })
    .optional(),
  DISCORD_BOT_TOKEN: secret.optional(),
  DISCORD_APPLICATION_ID: z
    .string()
    .refine((s) => /^\d{5,25}$/.test(s), { message: 'must be a numeric id' })
    .optional(),
  DISCORD_API_URL: httpUrl.optional(),
  DISCORD_GUILD_ID: z
    .string()
    .refine((s) => /^\d{5,25}$/.test(s), { message: 'must be a numeric id' })
    .optional(),
  WEB_CHAT: oneOf(['on', 'off']).optional(),
  HOST: z
    .string()
    .refine((s) => /^[\w.:-]+$/.test(s), { message: 'must be an interface address such as 127.0.0.1 or 0.0.0.0' })
    .optional(),
  WEB_CHAT_PUBLIC: oneOf(['yes', 'no']).optional(),
  RETENTION_MONTHS: z
    .string()
    .refine((s) => /^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 240, {
      message: 'must be a whole number of months between 1 and 240',
    })
    .transform(Number)
    .default(24),
});

/** Problems of variables that only make sense together; checked on presence alone. */
function combinationProblems(input: Partial<Record<Variable, string>>): string[] {
  const problems: string[] = [];
  if (input.SLACK_BOT_TOKEN && !input.SLACK_SIGNING_SECRET && !input.SLACK_APP_TOKEN)
    problems.push('SLACK_BOT_TOKEN: needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  const requires = (variables: readonly Variable[], token: Variable) => {
    for (const name of variables) if (input[name] && !input[token]) problems.push(`${name}: is set but ${token} is not`);
  };
  requires(['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL'], 'SLACK_BOT_TOKEN');
  requires(['TELEGRAM_API_ROOT', 'TELEGRAM_WEBHOOK_SECRET'], 'TELEGRAM_BOT_TOKEN');
  requires(['DISCORD_APPLICATION_ID', 'DISCORD_API_URL', 'DISCORD_GUILD_ID'], 'DISCORD_BOT_TOKEN');
  return problems;
}

/**
 * Validates the environment (default: `process.env`) into a `Config`. Empty values count as
 * unset. Throws `ConfigError` listing every problem.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const input: Partial<Record<Variable, string>> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]?.trim();
    if (value) input[name] = value;
  }
  const parsed = schema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]) as Variable;
        const raw = input[name];
        const got = raw === undefined || SECRETS.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
        return `${name}: ${issue.message}${got}`;
      });
  problems.push(...combinationProblems(input));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const v = parsed.data;
  const anyPlatform = Boolean(v.SLACK_BOT_TOKEN || v.TELEGRAM_BOT_TOKEN || v.DISCORD_BOT_TOKEN);
  const webChat = v.WEB_CHAT ? v.WEB_CHAT === 'on' : !anyPlatform;
  return {
    port: v.PORT,
    databaseUrl: v.DATABASE_URL,
    dataDir: v.DATA_DIR,
    redisUrl: v.REDIS_URL,
    defaultLocale: v.DEFAULT_LOCALE,
    logLevel: v.LOG_LEVEL,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ''),
    slack: v.SLACK_BOT_TOKEN
      ? { botToken: v.SLACK_BOT_TOKEN, signingSecret: v.SLACK_SIGNING_SECRET, appToken: v.SLACK_APP_TOKEN, apiUrl: v.SLACK_API_URL }
      : undefined,
    telegram: v.TELEGRAM_BOT_TOKEN
      ? { botToken: v.TELEGRAM_BOT_TOKEN, apiRoot: v.TELEGRAM_API_ROOT, webhookSecret: v.TELEGRAM_WEBHOOK_SECRET }
      : undefined,
    discord: v.DISCORD_BOT_TOKEN
      ? { botToken: v.DISCORD_BOT_TOKEN, applicationId: v.DISCORD_APPLICATION_ID, apiUrl: v.DISCORD_API_URL, guildId: v.DISCORD_GUILD_ID }
      : undefined,
    webChat,
    host: v.HOST ?? (webChat ? '127.0.0.1' : '0.0.0.0'),
    webChatPublic: v.WEB_CHAT_PUBLIC === 'yes',
    retentionMonths: v.RETENTION_MONTHS,
  };
}

/** An address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why the app must not start: the web chat (which authenticates nobody: whoever reaches it picks
 * any demo identity) on an address other machines reach, without WEB_CHAT_PUBLIC=yes. `host` is
 * the address actually bound (default `config.host`).
 */
export function webChatExposureProblem(config: Config, host: string = config.host): string | undefined {
  if (!config.webChat || config.webChatPublic || isLoopbackHost(host)) return undefined;
  return (
    `WEB_CHAT: the web chat is a demo that authenticates nobody (whoever reaches it can act as any demo identity), ` +
    `and HOST ${JSON.stringify(host)} makes it reachable from other machines. Unset HOST (127.0.0.1), set WEB_CHAT=off, ` +
    `or set WEB_CHAT_PUBLIC=yes if you mean to expose the demo`
  );
}
