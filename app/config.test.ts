import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, webChatExposureProblem } from './config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      databaseUrl: undefined,
      dataDir: './.data',
      redisUrl: undefined,
      defaultLocale: 'it',
      logLevel: 'info',
      publicUrl: undefined,
      slack: undefined,
      telegram: undefined,
      discord: undefined,
      webChat: true,
      host: '127.0.0.1',
      webChatPublic: false,
      retentionMonths: 24,
    });
  });

  it('turns the unauthenticated web chat off by default once a platform is configured, and binds all interfaces then', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc' })).toMatchObject({ webChat: false, host: '0.0.0.0' });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc', WEB_CHAT: 'on' })).toMatchObject({ webChat: true, host: '127.0.0.1' });
    expect(loadConfig({ HOST: '0.0.0.0' })).toMatchObject({ webChat: true, host: '0.0.0.0' });
  });

  it('says why the web chat may not listen on an address other machines reach, unless WEB_CHAT_PUBLIC=yes', () => {
    const open = loadConfig({ HOST: '0.0.0.0' });
    expect(webChatExposureProblem(open)).toBe(
      'WEB_CHAT: the web chat is a demo that authenticates nobody (whoever reaches it can act as any demo identity), ' +
        'and HOST "0.0.0.0" makes it reachable from other machines. Unset HOST (127.0.0.1), set WEB_CHAT=off, ' +
        'or set WEB_CHAT_PUBLIC=yes if you mean to expose the demo',
    );
    expect(webChatExposureProblem(loadConfig({ HOST: '192.168.1.10', TELEGRAM_BOT_TOKEN: '1:a', WEB_CHAT: 'on' }))).toContain(
      'HOST "192.168.1.10"',
    );
    expect(webChatExposureProblem(loadConfig({}), '::')).toContain('HOST "::"');
    // Loopback, the web chat off, or the operator's explicit yes: nothing to say.
    for (const host of ['127.0.0.1', '127.0.1.1', '::1', 'localhost', '::ffff:127.0.0.1'])
      expect(webChatExposureProblem(loadConfig({ HOST: host })), host).toBeUndefined();
    expect(webChatExposureProblem(loadConfig({ HOST: '0.0.0.0', WEB_CHAT: 'off' }))).toBeUndefined();
    expect(webChatExposureProblem(loadConfig({ TELEGRAM_BOT_TOKEN: '1:a' }))).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0', WEB_CHAT_PUBLIC: 'yes' })).toMatchObject({ webChatPublic: true });
    expect(webChatExposureProblem(loadConfig({ HOST: '0.0.0.0', WEB_CHAT_PUBLIC: 'yes' }))).toBeUndefined();
    expect(problems({ WEB_CHAT_PUBLIC: 'si' })).toEqual(['WEB_CHAT_PUBLIC: must be one of yes, no (got "si")']);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/sportello',
      DATA_DIR: '/var/lib/sportello',
      REDIS_URL: 'redis://cache:6379',
      DEFAULT_LOCALE: 'en',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://help.example.org/',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_API_URL: 'http://127.0.0.1:9000/api/',
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_WEBHOOK_SECRET: 'secret_token-1',
      DISCORD_BOT_TOKEN: 'discord-token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      WEB_CHAT: 'off',
      RETENTION_MONTHS: '36',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/sportello',
      dataDir: '/var/lib/sportello',
      redisUrl: 'redis://cache:6379',
      defaultLocale: 'en',
      logLevel: 'debug',
      publicUrl: 'https://help.example.org',
      slack: { botToken: 'xoxb-1', signingSecret: 'shh', appToken: undefined, apiUrl: 'http://127.0.0.1:9000/api/' },
      telegram: { botToken: '123:abc', apiRoot: undefined, webhookSecret: 'secret_token-1' },
      discord: { botToken: 'discord-token', applicationId: '123456789012345678', apiUrl: undefined },
      webChat: false,
      host: '0.0.0.0',
      retentionMonths: 36,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ', SLACK_BOT_TOKEN: '' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      slack: undefined,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: must be an integer between 1 and 65535 (got "abc")'],
    [{ PORT: '0' }, 'PORT: must be an integer between 1 and 65535 (got "0")'],
    [{ PORT: '70000' }, 'PORT: must be an integer between 1 and 65535 (got "70000")'],
    [{ DEFAULT_LOCALE: 'fr' }, 'DEFAULT_LOCALE: must be one of it, en (got "fr")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ WEB_CHAT: 'yes' }, 'WEB_CHAT: must be one of on, off (got "yes")'],
    [{ PUBLIC_URL: 'help.example.org' }, 'PUBLIC_URL: must be a URL starting with http:// or https:// (got "help.example.org")'],
    [{ DISCORD_BOT_TOKEN: 't', DISCORD_APPLICATION_ID: 'abc' }, 'DISCORD_APPLICATION_ID: must be a numeric id (got "abc")'],
    [{ RETENTION_MONTHS: '0' }, 'RETENTION_MONTHS: must be a whole number of months between 1 and 240 (got "0")'],
    [{ RETENTION_MONTHS: 'two years' }, 'RETENTION_MONTHS: must be a whole number of months between 1 and 240 (got "two years")'],
  ])('reports %j', (env, line) => {
    expect(problems(env)).toEqual([line]);
  });

  it('never echoes secrets back', () => {
    expect(problems({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toEqual([
      'DATABASE_URL: must be a URL starting with postgres:// or postgresql://',
    ]);
    expect(problems({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_WEBHOOK_SECRET: 'has spaces!' })).toEqual([
      'TELEGRAM_WEBHOOK_SECRET: must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    ]);
  });

  it('needs a Slack mode with the Slack bot token, and tokens for the other platform settings', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([
      'SLACK_BOT_TOKEN: needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)',
    ]);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack?.appToken).toBe('xapp-1');
    expect(problems({ SLACK_SIGNING_SECRET: 's', TELEGRAM_WEBHOOK_SECRET: 'w', DISCORD_API_URL: 'http://x' })).toEqual([
      'SLACK_SIGNING_SECRET: is set but SLACK_BOT_TOKEN is not',
      'TELEGRAM_WEBHOOK_SECRET: is set but TELEGRAM_BOT_TOKEN is not',
      'DISCORD_API_URL: is set but DISCORD_BOT_TOKEN is not',
    ]);
  });

  it('lists every problem, one line each', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'abc', DEFAULT_LOCALE: 'de', SLACK_BOT_TOKEN: 'x' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split('\n')).toEqual([
      'PORT: must be an integer between 1 and 65535 (got "abc")',
      'DEFAULT_LOCALE: must be one of it, en (got "de")',
      'SLACK_BOT_TOKEN: needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)',
    ]);
  });
});
