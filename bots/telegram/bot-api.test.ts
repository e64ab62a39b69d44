import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram, TelegramError } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callBotApi } from './bot-api.ts';

/** A Bot API stand-in: answers per method, records what it was sent. */
const seen: { method: string; contentType: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const method = req.url?.split('/').pop() ?? '';
    seen.push({ method, contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString() });
    const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (method === 'sendMessage') json(200, { ok: true, result: { message_id: 7 } });
    else if (method === 'editMessageText')
      json(429, { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 3 } });
    else if (method === 'deleteMessage') res.writeHead(502, 'Bad Gateway').end('<html>proxy</html>');
    else if (method === 'answerCallbackQuery') res.writeHead(404).end('<html>not found</html>');
    else if (method === 'sendPhoto') json(200, { ok: true, result: { message_id: 8 } });
    else if (method === 'getMe') res.writeHead(200, { 'content-type': 'application/json' }).end('null');
    else json(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  });
});
let telegram: Telegram;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  telegram = new Telegram('123:secret', { apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, webhookReply: false });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('callBotApi', () => {
  it('posts JSON to the method, null fields left out, and resolves with the result', async () => {
    const sent = await callBotApi(telegram, 'sendMessage', { chat_id: 1, text: 'ciao', message_thread_id: undefined }, 1000);
    expect(sent).toEqual({ message_id: 7 });
    const call = seen.find((s) => s.method === 'sendMessage');
    expect(call?.contentType).toBe('application/json');
    expect(JSON.parse(call?.body ?? '')).toEqual({ chat_id: 1, text: 'ciao' });
  });

  it('rejects a refusal as a TelegramError with its code and parameters (retry_after)', async () => {
    const err = await callBotApi(telegram, 'editMessageText', { chat_id: 1, message_id: 2, text: 'x' }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramError);
    expect((err as TelegramError).code).toBe(429);
    expect((err as TelegramError).parameters?.retry_after).toBe(3);
    const bad = await callBotApi(telegram, 'getChat', { chat_id: 1 }, 1000).catch((e: unknown) => e);
    expect((bad as TelegramError).code).toBe(400);
    expect((bad as TelegramError).description).toMatch(/chat not found/);
  });

  it('rejects a 5xx as a TelegramError with the status, and an answer that is not JSON as a plain error', async () => {
    const err = await callBotApi(telegram, 'deleteMessage', { chat_id: 1, message_id: 2 }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramError);
    expect((err as TelegramError).code).toBe(502);
    const odd = await callBotApi(telegram, 'answerCallbackQuery', { callback_query_id: 'q' }, 1000).catch((e: unknown) => e);
    expect(odd).toBeInstanceOf(Error);
    expect(odd).not.toBeInstanceOf(TelegramError);
  });

  it('sends a file upload through Telegraf (multipart)', async () => {
    const sent = await callBotApi(telegram, 'sendPhoto', { chat_id: 1, photo: { source: Buffer.from('png'), filename: 'c.png' } }, 1000);
    expect(sent).toEqual({ message_id: 8 });
    expect(seen.find((s) => s.method === 'sendPhoto')?.contentType).toMatch(/^multipart\/form-data/);
  });

  it('gives up after the timeout', async () => {
    const hang = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const slow = new Telegram('123:secret', { apiRoot: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, webhookReply: false });
    const started = Date.now();
    const err = await callBotApi(slow, 'sendMessage', { chat_id: 1, text: 'x' }, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(2000);
    hang.closeAllConnections();
    await new Promise((resolve) => hang.close(resolve));
  });

  it('rejects an answer that is JSON but no Bot API answer (null) as a plain error, without throwing in the listener', async () => {
    const err = await callBotApi(telegram, 'getMe', {}, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TelegramError);
    expect((err as Error).message).toMatch(/not a Bot API answer/);
  });
});
