/**
 * A small fake of the Telegram Bot API on 127.0.0.1, for driving the real Telegraf: only the
 * methods the adapter uses, every call recorded. `getUpdates` long-polls (holds up to 1 s when
 * empty, answers at once when an update is pushed) and honours `offset` like Telegram: an
 * offset confirms, and forgets, every earlier update.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WAIT_MS } from '../wait.ts';

export interface FakeCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  readonly at: number;
  /** HTTP status answered (200, or the error code). */
  status: number;
  result?: unknown;
}

export interface FakeError {
  readonly error_code: number;
  readonly description: string;
  readonly parameters?: { readonly retry_after?: number; readonly migrate_to_chat_id?: number };
}

interface SentMessage {
  readonly chatId: string;
  text: string;
  markup: string;
}

type Update = { update_id: number } & Record<string, unknown>;

// Shared by every fake in the process: the bot and the chats are the same, so ids must never repeat.
let nextUpdateId = 500;
let nextMessageId = 1;

export class TelegramFake {
  readonly bot = {
    id: 7000001,
    is_bot: true as const,
    first_name: 'Sportello',
    username: 'sportello_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  readonly token = `${this.bot.id}:AAFakeTokenForTests`;
  readonly calls: FakeCall[] = [];
  /** Chats that answer 403, like a user who never started the bot. */
  readonly unreachable = new Set<string>();
  /** Called for every call as it arrives (benchmarks use it to time replies). */
  onCall?: (call: FakeCall) => void;

  private server!: http.Server;
  private pending: Update[] = [];
  private confirmed = 0;
  private readonly messages = new Map<string, SentMessage>();
  private readonly failures: { method: string; chatId?: string; error: FakeError }[] = [];
  private readonly waiters = new Set<() => void>();

  static async start(): Promise<TelegramFake> {
    const fake = new TelegramFake();
    fake.server = http.createServer((req, res) => void fake.serve(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues an update for getUpdates; returns its update_id. */
  push(update: Record<string, unknown>): number {
    const update_id = nextUpdateId++;
    this.pending.push({ ...update, update_id });
    for (const wake of this.waiters) wake();
    return update_id;
  }

  /** Makes the next call of `method` (to `chatId`, if given) fail with `error`. */
  failNext(method: string, error: FakeError, chatId?: string): void {
    this.failures.push({ method, error, ...(chatId ? { chatId } : {}) });
  }

  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Successful sendMessage calls to a chat (`result` is the message Telegram returned). */
  sentTo(chatId: string | number): FakeCall[] {
    return this.callsOf('sendMessage').filter((c) => c.status === 200 && String(c.payload.chat_id) === String(chatId));
  }

  /** Successful sendPhoto calls to a chat; `payload.photo` is the uploaded file. */
  photosTo(chatId: string | number): FakeCall[] {
    return this.callsOf('sendPhoto').filter((c) => c.status === 200 && String(c.payload.chat_id) === String(chatId));
  }

  /** Polls `probe` until it returns something (or throws after `timeoutMs`). */
  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = WAIT_MS, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const reply = (status: number, body: object) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!m || m[1] !== this.token) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = m[2]!;
    const payload = String(req.headers['content-type']).startsWith('multipart/form-data')
      ? await formPayload(Buffer.concat(chunks), String(req.headers['content-type']))
      : chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
    const call: FakeCall = { method, payload, at, status: 200 };
    this.calls.push(call);
    this.onCall?.(call);
    const chatId = payload.chat_id === undefined ? undefined : String(payload.chat_id);
    const failure =
      this.takeFailure(method, chatId) ?? (method === 'sendMessage' && chatId && this.unreachable.has(chatId) ? forbidden : undefined);
    const outcome = failure ? { error: failure } : await this.answer(method, payload, chatId, res);
    if ('error' in outcome) {
      call.status = outcome.error.error_code;
      return reply(outcome.error.error_code, { ok: false, ...outcome.error });
    }
    call.result = outcome.result;
    reply(200, { ok: true, result: outcome.result });
  }

  private takeFailure(method: string, chatId: string | undefined): FakeError | undefined {
    const i = this.failures.findIndex((f) => f.method === method && (f.chatId === undefined || f.chatId === chatId));
    return i < 0 ? undefined : this.failures.splice(i, 1)[0]!.error;
  }

  private async answer(
    method: string,
    p: Record<string, unknown>,
    chatId: string | undefined,
    res: http.ServerResponse,
  ): Promise<{ result: unknown } | { error: FakeError }> {
    switch (method) {
      case 'getMe':
        return { result: this.bot };
      case 'getUpdates':
        return { result: await this.getUpdates(p, res) };
      case 'sendMessage': {
        const message_id = nextMessageId++;
        this.messages.set(`${chatId}:${message_id}`, {
          chatId: chatId!,
          text: String(p.text),
          markup: JSON.stringify(p.reply_markup ?? null),
        });
        return {
          result: {
            message_id,
            date: Math.floor(Date.now() / 1000),
            chat: chatOf(chatId!),
            from: this.bot,
            text: p.text,
            ...(p.message_thread_id ? { message_thread_id: p.message_thread_id, is_topic_message: true } : {}),
          },
        };
      }
      case 'sendPhoto': {
        const photo = p.photo as UploadedFile | undefined;
        if (!photo || typeof photo !== 'object' || !photo.bytes?.length)
          return { error: { error_code: 400, description: 'Bad Request: there is no photo in the request' } };
        if (String(p.caption ?? '').length > 1024 * 4)
          return { error: { error_code: 400, description: 'Bad Request: message caption is too long' } };
        const message_id = nextMessageId++;
        return {
          result: {
            message_id,
            date: Math.floor(Date.now() / 1000),
            chat: chatOf(chatId!),
            from: this.bot,
            photo: [
              { file_id: `photo-${message_id}`, file_unique_id: `u${message_id}`, width: 1200, height: 600, file_size: photo.bytes.length },
            ],
            ...(p.caption ? { caption: p.caption } : {}),
          },
        };
      }
      case 'editMessageText': {
        const msg = this.messages.get(`${chatId}:${String(p.message_id)}`);
        if (!msg) return { error: { error_code: 400, description: 'Bad Request: message to edit not found' } };
        const markup = JSON.stringify(p.reply_markup ?? null);
        if (msg.text === p.text && msg.markup === markup)
          return {
            error: {
              error_code: 400,
              description:
                'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
            },
          };
        msg.text = String(p.text);
        msg.markup = markup;
        return {
          result: { message_id: p.message_id, date: Math.floor(Date.now() / 1000), chat: chatOf(chatId!), from: this.bot, text: p.text },
        };
      }
      case 'answerCallbackQuery':
      case 'setMyCommands':
      case 'deleteWebhook':
      case 'setWebhook':
        return { result: true };
      default:
        return { error: { error_code: 404, description: `Not Found: method ${method} not in the fake` } };
    }
  }

  private async getUpdates(p: Record<string, unknown>, res: http.ServerResponse): Promise<Update[]> {
    const offset = typeof p.offset === 'number' ? p.offset : 0;
    if (offset > this.confirmed) {
      this.confirmed = offset;
      this.pending = this.pending.filter((u) => u.update_id >= offset);
    }
    const limit = typeof p.limit === 'number' ? p.limit : 100;
    const holdMs = Math.min(Number(p.timeout ?? 0), 1) * 1000;
    const end = Date.now() + holdMs;
    for (;;) {
      const ready = this.pending.slice(0, limit);
      if (ready.length || Date.now() >= end || res.destroyed || !this.server.listening) return ready;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          res.off('close', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(0, end - Date.now()));
        this.waiters.add(wake);
        res.on('close', wake);
      });
    }
  }
}

const forbidden: FakeError = { error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" };

function chatOf(chatId: string): { id: number; type: string } {
  const id = Number(chatId);
  return { id, type: id > 0 ? 'private' : 'supergroup' };
}

/** A file part of a multipart request (sendPhoto). */
export interface UploadedFile {
  readonly filename: string;
  readonly type: string;
  readonly bytes: Buffer;
}

/** A multipart Bot API request as a payload: text parts as values (JSON ones parsed), file parts as `UploadedFile`. */
async function formPayload(body: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const payload: Record<string, unknown> = {};
  for (const [key, value] of form as unknown as Iterable<[string, string | File]>) {
    if (typeof value === 'string') {
      payload[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } else {
      payload[key] = { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) } satisfies UploadedFile;
    }
  }
  return payload;
}
