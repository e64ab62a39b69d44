/**
 * A fake of Slack for end-to-end tests of the real Bolt app: the Web API methods the adapter
 * calls (recorded, with failures that can be queued), a Socket Mode WebSocket endpoint, and the
 * other direction — signed events, interactions and slash commands POSTed to the bot's route.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { slackSignature } from '../../bots/slack/slack-signature.ts';
import { WAIT_MS } from '../wait.ts';

export interface FakeCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** false when a queued failure answered it. */
  readonly ok: boolean;
  readonly at: number;
}

export interface FakeFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export interface FakeUser {
  readonly realName: string;
  readonly locale?: string;
}

const BOT = { user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'sportello', team: 'Sportello Test' };

/** The DM channel the fake gives a user (`U_ANNA` → `D_ANNA`). */
export const dmChannelOf = (userId: string): string => `D${userId.slice(1)}`;

/** A file shared into a conversation (files.getUploadURLExternal + upload + files.completeUploadExternal). */
export interface SharedFile {
  readonly id: string;
  readonly filename: string;
  readonly altText: string;
  readonly title: string;
  readonly bytes: Buffer;
  readonly channel: string;
  readonly threadTs?: string;
  readonly comment: string;
  readonly ts: string;
}

export class SlackFake {
  readonly calls: FakeCall[] = [];
  /** Files uploaded (getUploadURLExternal, then the upload), by id; `bytes` once uploaded. */
  readonly uploads = new Map<string, { filename: string; length: number; altText: string; bytes?: Buffer }>();
  /** Files shared into a conversation, in order. */
  readonly shared: SharedFile[] = [];
  private fileSeq = 0;
  private readonly failures: { method: string; when: (args: Record<string, unknown>) => boolean; replies: FakeFailure[] }[] = [];
  /** Calls to carry out and then cut, by method, left to cut. */
  private readonly cuts = new Map<string, number>();
  private readonly listeners = new Set<(c: FakeCall) => void>();
  private readonly sockets = new Set<Socket>();
  private ts = 0;
  private ws: Socket | undefined;
  private wsBuffer = Buffer.alloc(0);
  private readonly acks = new Map<string, (payload: unknown) => void>();

  private constructor(
    private readonly server: Server,
    readonly apiUrl: string,
    private readonly users: Readonly<Record<string, FakeUser>>,
    readonly token: string,
  ) {}

  static async start(opts: { users?: Record<string, FakeUser>; token?: string } = {}): Promise<SlackFake> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fake = new SlackFake(server, `http://127.0.0.1:${port}/api/`, opts.users ?? {}, opts.token ?? 'xoxb-test');
    server.on('request', (req, res) => void fake.onRequest(req, res));
    server.on('upgrade', (req, socket: Socket) => fake.onUpgrade(req, socket));
    server.on('connection', (s: Socket) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    return fake;
  }

  /** The next calls of `method` matching `when` get these answers, in order, instead of success. */
  failNext(method: string, replies: FakeFailure[], when: (args: Record<string, unknown>) => boolean = () => true): void {
    this.failures.push({ method, when, replies: [...replies] });
  }

  /** The next `n` calls of `method` are carried out (a post is posted) but the connection is cut before the answer. */
  cutAnswerOfNext(method: string, n = 1): void {
    this.cuts.set(method, (this.cuts.get(method) ?? 0) + n);
  }

  /** Successful calls of `method`, optionally only those matching `where`. */
  ok(method: string, where: (args: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    return this.calls.filter((c) => c.ok && c.method === method && where(c.args)).map((c) => c.args);
  }

  /** Messages posted (chat.postMessage) to a channel. */
  posts(channel: string): Record<string, unknown>[] {
    return this.ok('chat.postMessage', (a) => a.channel === channel);
  }

  onCall(listener: (c: FakeCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first truthy value of `probe`, checked after every call (and now). */
  waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `slack fake: condition not met in ${timeoutMs} ms; last calls: ${JSON.stringify(this.calls.slice(-5).map((c) => [c.method, c.args.channel, c.args.text]))}`,
          ),
        );
      }, timeoutMs);
      const off = this.onCall(() => setImmediate(check));
      const done = () => {
        clearTimeout(timer);
        off();
      };
      check();
    });
  }

  async close(): Promise<void> {
    this.ws?.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    if ((req.url ?? '').startsWith('/upload/')) return this.onUpload(req, res, Buffer.concat(chunks));
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const args: Record<string, unknown> = req.headers['content-type']?.includes('json')
      ? (JSON.parse(raw || '{}') as Record<string, unknown>)
      : { ...parseQuery(raw) };
    for (const k of ['blocks', 'users'])
      if (typeof args[k] === 'string' && String(args[k]).startsWith('[')) args[k] = JSON.parse(String(args[k]));
    if (typeof args.metadata === 'string' && args.metadata.startsWith('{')) args.metadata = JSON.parse(args.metadata);
    const expected = method === 'apps.connections.open' ? 'xapp-test' : this.token;
    if (req.headers.authorization !== `Bearer ${expected}`) return this.answer(res, method, args, { ok: false, error: 'invalid_auth' });

    const rule = this.failures.find((f) => f.method === method && f.replies.length > 0 && f.when(args));
    const failure = rule?.replies.shift();
    if (failure) {
      this.record(method, args, false);
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(JSON.stringify(failure.body ?? { ok: false, error: 'fake_failure' }));
      return;
    }
    const cuts = this.cuts.get(method) ?? 0;
    if (cuts > 0) {
      this.cuts.set(method, cuts - 1);
      const body = this.reply(method, args, req);
      this.record(method, args, body.ok === true, body);
      req.socket.destroy();
      return;
    }
    this.answer(res, method, args, this.reply(method, args, req));
  }

  private reply(method: string, args: Record<string, unknown>, req: IncomingMessage): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://sportello-test.slack.com/', ...BOT };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${(req.socket.localPort ?? 0).toString()}/socket` };
      case 'users.info': {
        const id = String(args.user);
        const u = this.users[id];
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            real_name: u.realName,
            locale: u.locale ?? 'it-IT',
            profile: { real_name: u.realName, display_name: '' },
          },
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: dmChannelOf(String(args.users)) } };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        return { ok: true, channel, ts, message: { ts, text: args.text, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) } };
      }
      case 'chat.update':
        return { ok: true, channel, ts: args.ts, text: args.text };
      case 'conversations.history':
      case 'conversations.replies':
        return this.history(method, args);
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'files.getUploadURLExternal': {
        const id = `F${String(++this.fileSeq).padStart(8, '0')}`;
        this.uploads.set(id, { filename: String(args.filename), length: Number(args.length), altText: String(args.alt_text ?? '') });
        return { ok: true, upload_url: `http://127.0.0.1:${String(req.socket.localPort)}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(String(args.files ?? '[]')) as { id: string; title?: string }[];
        const channelId = String(args.channel_id ?? '');
        const ts = this.nextTs();
        for (const f of files) {
          const up = this.uploads.get(f.id);
          if (!up?.bytes) return { ok: false, error: 'file_not_found' };
          this.shared.push({
            id: f.id,
            filename: up.filename,
            altText: up.altText,
            title: f.title ?? '',
            bytes: up.bytes,
            channel: channelId,
            ...(args.thread_ts ? { threadTs: String(args.thread_ts) } : {}),
            comment: String(args.initial_comment ?? ''),
            ts,
          });
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title, shares: { public: { [channelId]: [{ ts }] } } })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * The messages the bot posted to a channel, like Slack: `conversations.history` gives the
   * channel's messages (not thread replies) newest first, `conversations.replies` a thread
   * (its parent, then the replies, oldest first); metadata only with `include_all_metadata`;
   * `limit` and `cursor` page through them.
   */
  private history(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const posted = this.posts(channel).map((a) => ({
      type: 'message',
      ts: String(a.ts),
      text: a.text,
      user: BOT.user_id,
      bot_id: BOT.bot_id,
      ...(a.thread_ts ? { thread_ts: a.thread_ts } : {}),
      ...(withMetadata && a.metadata ? { metadata: a.metadata } : {}),
    }));
    const thread = String(args.ts ?? '');
    const all =
      method === 'conversations.history'
        ? posted.filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse()
        : posted.filter((m) => m.ts === thread || m.thread_ts === thread);
    const from = Number(args.cursor ?? 0) || 0;
    const limit = Number(args.limit ?? 100) || 100;
    const page = all.slice(from, from + limit);
    const more = from + limit < all.length;
    return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(from + limit) : '' } };
  }

  private answer(res: ServerResponse, method: string, args: Record<string, unknown>, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    this.record(method, args, body.ok === true, body);
  }

  private record(method: string, args: Record<string, unknown>, ok: boolean, result?: Record<string, unknown>): void {
    const call: FakeCall = {
      method,
      args: result?.ts && method === 'chat.postMessage' ? { ...args, ts: result.ts } : args,
      ok,
      at: performance.now(),
    };
    this.calls.push(call);
    for (const l of this.listeners) l(call);
  }

  /** The upload step: multipart form data with the file, to the URL getUploadURLExternal gave. */
  private async onUpload(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const id = (req.url ?? '').slice('/upload/'.length);
    const args: Record<string, unknown> = { file_id: id, size: body.length };
    const rule = this.failures.find((f) => f.method === 'upload' && f.replies.length > 0 && f.when(args));
    const failure = rule?.replies.shift();
    const up = this.uploads.get(id);
    if (failure || !up || req.method !== 'POST') {
      this.record('upload', args, false);
      res.writeHead(failure?.status ?? 404, { 'content-type': 'text/plain', ...failure?.headers });
      res.end('upload failed');
      return;
    }
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob)) {
      this.record('upload', args, false);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('no file');
      return;
    }
    up.bytes = Buffer.from(await file.arrayBuffer());
    this.record('upload', { ...args, bytes: up.bytes.length }, true);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${up.bytes.length}`);
  }

  private nextTs(): string {
    this.ts += 1;
    return `1700000000.${String(this.ts).padStart(6, '0')}`;
  }

  // ---- Socket Mode: just enough of RFC 6455 for text frames, ping and close ----

  /** Sends an envelope over the Socket Mode connection; resolves with the bot's ack payload. */
  socketSend(type: 'events_api' | 'interactive' | 'slash_commands', payload: unknown, envelopeId: string): Promise<unknown> {
    if (!this.ws) throw new Error('slack fake: no Socket Mode connection');
    const acked = new Promise<unknown>((resolve) => this.acks.set(envelopeId, resolve));
    this.wsSend({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      retry_attempt: 0,
      retry_reason: '',
    });
    return acked;
  }

  get socketConnected(): boolean {
    return this.ws !== undefined;
  }

  private onUpgrade(req: IncomingMessage, socket: Socket): void {
    const key = req.headers['sec-websocket-key'];
    if (req.url !== '/socket' || typeof key !== 'string') return void socket.destroy();
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.ws = socket;
    socket.on('data', (d: Buffer) => this.onFrames(d));
    socket.on('close', () => {
      if (this.ws === socket) this.ws = undefined;
    });
    socket.on('error', () => socket.destroy());
    this.wsSend({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' }, debug_info: { host: 'fake' } });
  }

  private wsSend(message: unknown, opcode = 0x1): void {
    const data = opcode === 0x1 ? Buffer.from(JSON.stringify(message)) : (message as Buffer);
    const head =
      data.length < 126
        ? Buffer.from([0x80 | opcode, data.length])
        : data.length < 65536
          ? Buffer.from([0x80 | opcode, 126, data.length >> 8, data.length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(data.length)]);
    this.ws?.write(Buffer.concat([head, data]));
  }

  private onFrames(chunk: Buffer): void {
    this.wsBuffer = Buffer.concat([this.wsBuffer, chunk]);
    for (;;) {
      const b = this.wsBuffer;
      if (b.length < 2) return;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const total = offset + (masked ? 4 : 0) + len;
      if (b.length < total) return;
      const mask = masked ? b.subarray(offset, offset + 4) : undefined;
      const payload = Buffer.from(b.subarray(total - len, total));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
      this.wsBuffer = b.subarray(total);
      if (opcode === 0x1) {
        const msg = JSON.parse(payload.toString('utf8')) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) this.acks.get(msg.envelope_id)?.(msg.payload ?? null);
      } else if (opcode === 0x9) this.wsSend(payload, 0xa);
      else if (opcode === 0x8) {
        this.wsSend(payload, 0x8);
        this.ws?.end();
      }
    }
  }
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

// ---- Slack → bot: signed requests and the payloads Slack sends ----

export interface PostResult {
  readonly status: number;
  readonly body: string;
  /** From sending the request to the end of the response (the ack). */
  readonly ms: number;
}

/** POSTs a request to the bot's endpoint signed like Slack does (or with the given overrides). */
export async function postSigned(
  url: string,
  signingSecret: string,
  payload: { readonly json: unknown } | { readonly form: Record<string, string> },
  opts: { readonly timestampS?: number; readonly signature?: string; readonly retryNum?: number } = {},
): Promise<PostResult> {
  const isJson = 'json' in payload;
  const body = isJson ? JSON.stringify(payload.json) : new URLSearchParams(payload.form).toString();
  const timestamp = String(opts.timestampS ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': opts.signature ?? slackSignature(signingSecret, timestamp, body),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(WAIT_MS) });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - t0 };
}

let seq = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(++seq).toString(36).toUpperCase()}`;

/** The Events API envelope around `event`. */
export function eventCallback(event: Record<string, unknown>, eventId = nextId('Ev')): { json: Record<string, unknown> } {
  return {
    json: {
      token: 'x',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
    },
  };
}

/** A person's DM to the bot (`message.im`). */
export function dmEvent(user: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'message', channel: dmChannelOf(user), channel_type: 'im', user, text, ts: nextTs(), event_ts: nextTs(), ...extra };
}

/** A click on a button of a message the bot posted (`block_actions`, form-encoded `payload`). */
export function buttonPress(p: { user: string; channel: string; messageTs: string; actionId: string; value?: string; threadTs?: string }): {
  form: Record<string, string>;
} {
  const action = {
    type: 'button',
    action_id: p.actionId,
    block_id: 'b1',
    ...(p.value !== undefined ? { value: p.value } : {}),
    action_ts: `${Date.now() / 1000}${(++seq).toString()}`,
  };
  const payload = {
    type: 'block_actions',
    team: { id: 'T1', domain: 'sportello-test' },
    user: { id: p.user, username: p.user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: nextId('trig'),
    container: { type: 'message', message_ts: p.messageTs, channel_id: p.channel, is_ephemeral: false },
    channel: { id: p.channel, name: p.channel.toLowerCase() },
    message: { type: 'message', ts: p.messageTs, ...(p.threadTs ? { thread_ts: p.threadTs } : {}) },
    response_url: 'http://127.0.0.1:9/response',
    actions: [action],
  };
  return { form: { payload: JSON.stringify(payload) } };
}

/** `/sportello <text>` typed by `user` in `channel`. */
export function slashCommand(user: string, channel: string, text: string): { form: Record<string, string> } {
  return {
    form: {
      token: 'x',
      team_id: 'T1',
      team_domain: 'sportello-test',
      channel_id: channel,
      channel_name: channel.toLowerCase(),
      user_id: user,
      user_name: user.toLowerCase(),
      command: '/sportello',
      text,
      api_app_id: 'A1',
      response_url: 'http://127.0.0.1:9/response',
      trigger_id: nextId('trig'),
    },
  };
}

function nextTs(): string {
  return `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
}

/** A node:http server serving the adapter's routes (what app/ does with its router). */
export async function serveRoutes(
  routes: readonly {
    method: string;
    path: string | RegExp;
    handle(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray | null): void | Promise<void>;
  }[],
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    for (const r of routes) {
      const m = typeof r.path === 'string' ? (r.path === path ? null : undefined) : r.path.exec(path);
      if (r.method === req.method && m !== undefined && (typeof r.path === 'string' || m)) {
        void Promise.resolve(r.handle(req, res, m ?? null)).catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
        return;
      }
    }
    res.writeHead(404);
    res.end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
