import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { blockAction, directMessage, mention, mentionedUsers, slackToPlain, slashCommand, threadReply } from './slack-inbound.ts';
import { toDeliveryError } from './slack-sender.ts';
import { slackSignature, verifySlackSignature } from './slack-signature.ts';

describe('Slack payloads → core inbound', () => {
  it('a DM is a dm conversation; edits, bot posts and joins are ignored', () => {
    const e = { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'ciao', ts: '1.1' };
    expect(directMessage(e, 'Ev1')).toEqual({ deliveryId: 'Ev1', conversation: { id: 'D1', kind: 'dm' }, userId: 'U1', text: 'ciao' });
    expect(directMessage({ ...e, subtype: 'message_changed' }, 'Ev2')).toBeUndefined();
    expect(directMessage({ ...e, bot_id: 'B1' }, 'Ev3')).toBeUndefined();
    expect(directMessage({ ...e, channel_type: 'channel' }, 'Ev4')).toBeUndefined();
  });

  it('a channel message counts only as a thread reply, and not when it mentions the bot', () => {
    const e = { type: 'message', channel: 'C1', channel_type: 'channel', user: 'U1', text: 'nota', ts: '2.2', thread_ts: '1.1' };
    expect(threadReply(e, 'Ev1', 'UBOT')).toEqual({
      deliveryId: 'Ev1',
      conversation: { id: 'C1', kind: 'channel', threadId: '1.1' },
      userId: 'U1',
      text: 'nota',
    });
    expect(threadReply({ ...e, thread_ts: undefined }, 'Ev2', 'UBOT')).toBeUndefined();
    expect(threadReply({ ...e, thread_ts: '2.2' }, 'Ev3', 'UBOT')).toBeUndefined();
    expect(threadReply({ ...e, text: '<@UBOT> stato' }, 'Ev4', 'UBOT')).toBeUndefined();
  });

  it('a mention loses the bot mention and keeps its thread', () => {
    expect(
      mention(
        { type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UBOT> stato INC-000001', ts: '3.3', thread_ts: '1.1' },
        'Ev1',
        'UBOT',
      ),
    ).toEqual({
      deliveryId: 'Ev1',
      conversation: { id: 'C1', kind: 'channel', threadId: '1.1' },
      userId: 'U1',
      text: 'stato INC-000001',
    });
  });

  it('a button click carries the core action, its value and a stable delivery id', () => {
    const body = {
      type: 'block_actions',
      user: { id: 'U2' },
      channel: { id: 'C1' },
      message: { ts: '5.5' },
      actions: [{ action_id: 'ticket.claim#0', value: 'INC-000001', action_ts: '6.6' }],
    };
    expect(blockAction(body)).toEqual({
      deliveryId: 'action:6.6:U2:ticket.claim#0',
      conversation: { id: 'C1', kind: 'channel' },
      userId: 'U2',
      action: { id: 'ticket.claim', value: 'INC-000001' },
    });
    const inDm = blockAction({ ...body, channel: { id: 'D9' }, actions: [{ action_id: 'intake.keep#0', action_ts: '7.7' }] });
    expect([inDm?.conversation, inDm?.action]).toEqual([
      { id: 'D9', kind: 'dm' },
      { id: 'intake.keep', value: '' },
    ]);
    const select = blockAction({ ...body, actions: [{ action_id: 'x.pick#s', selected_option: { value: 'v' }, action_ts: '8.8' }] });
    expect(select?.action).toEqual({ id: 'x.pick', value: 'v' });
  });

  it('/sportello carries its words, help when alone, a DM when typed in a DM', () => {
    expect(slashCommand({ user_id: 'U1', channel_id: 'C1', trigger_id: 't1', text: ' stato INC-000001 ' })).toEqual({
      deliveryId: 'command:t1',
      conversation: { id: 'C1', kind: 'channel' },
      userId: 'U1',
      text: 'stato INC-000001',
    });
    expect(slashCommand({ user_id: 'U1', channel_id: 'D1', trigger_id: 't2', text: '' })).toMatchObject({
      conversation: { id: 'D1', kind: 'dm' },
      text: 'aiuto',
    });
  });

  it('Slack markup becomes plain words and entities become characters', () => {
    const text = 'ciao <@U1> e <@U2|bruno> in <#C1|volontari> <!here> <https://x.test|sito> <mailto:a@b.it> &lt;b&gt; &amp;';
    expect(mentionedUsers(text)).toEqual(['U1', 'U2']);
    expect(slackToPlain(text, new Map([['U1', 'anna']]))).toBe(
      'ciao @anna e @bruno in #volontari @here sito (https://x.test) a@b.it <b> &',
    );
  });

  it('links Slack made of typed addresses, numbers and domains become the words typed', () => {
    expect(slackToPlain('scrivete a <mailto:a@b.org|a@b.org> o <mailto:c@d.org|Carla>')).toBe('scrivete a a@b.org o Carla (c@d.org)');
    expect(slackToPlain('chiamate <tel:+393331234567|+39 333 1234567>')).toBe('chiamate +39 333 1234567');
    expect(slackToPlain('vedi <http://example.org|example.org> e <https://x.test/a|x.test/a>')).toBe('vedi example.org e x.test/a');
    expect(slackToPlain('<https://x.test|guida> <https://x.test>')).toBe('guida (https://x.test) https://x.test');
  });
});

describe('Slack request signatures', () => {
  const secret = 's3cret';
  const body = Buffer.from('{"type":"event_callback"}');
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);

  it('accepts Slack signature within five minutes, and nothing else', () => {
    const signature = slackSignature(secret, ts, body);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: body, nowMs: now + 299_000 })).toBe(true);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: body, nowMs: now + 301_000 })).toBe(false);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: body, nowMs: now - 301_000 })).toBe(false);
    expect(verifySlackSignature({ signingSecret: 'other', timestamp: ts, signature, rawBody: body, nowMs: now })).toBe(false);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: Buffer.from('{}'), nowMs: now })).toBe(false);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: undefined, rawBody: body, nowMs: now })).toBe(false);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: 'abc', signature, rawBody: body, nowMs: now })).toBe(false);
  });
});

describe('Slack errors → outbox retry decisions', () => {
  it('429 waits Retry-After, 5xx and network errors retry, refusals are permanent', () => {
    expect(toDeliveryError(new webApi.WebAPIRateLimitedError(3)).options).toEqual({ retryAfterMs: 3000 });
    expect(toDeliveryError(new webApi.WebAPIHTTPError(503, 'down', {}, '')).options).toEqual({});
    expect(toDeliveryError(new webApi.WebAPIHTTPError(404, 'nope', {}, '')).options).toEqual({ permanent: true });
    expect(toDeliveryError(new webApi.WebAPIPlatformError({ ok: false, error: 'channel_not_found' })).options).toEqual({ permanent: true });
    // Slack: "it's possible some aspect of the operation succeeded before the error was raised".
    expect(toDeliveryError(new webApi.WebAPIPlatformError({ ok: false, error: 'internal_error' })).options).toEqual({ fateUnknown: true });
    // An answer that says "later" and did nothing: retried, not looked up.
    expect(toDeliveryError(new webApi.WebAPIPlatformError({ ok: false, error: 'ratelimited' })).options).toEqual({});
    expect(toDeliveryError(new webApi.WebAPIPlatformError({ ok: false, error: 'rate_limited' })).options).toEqual({});
    expect(toDeliveryError(new webApi.WebAPIPlatformError({ ok: false, error: 'request_timeout' })).options).toEqual({});
    expect(toDeliveryError(new Error('Retry header did not contain a valid timeout (url: u, retry-after header: null)')).options).toEqual({
      retryAfterMs: 1000,
    });
    // No answer: it may have arrived (the next attempt looks first), unless no connection was made.
    expect(toDeliveryError(new webApi.WebAPIRequestError(new Error('ECONNRESET'))).options).toEqual({ fateUnknown: true });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toDeliveryError(new webApi.WebAPIRequestError(refused)).options).toEqual({});
  });
});
