/**
 * A small fake of Discord for end-to-end tests of the real discord.js client: the REST routes
 * the adapter uses under `/api/v10`, and a gateway (plain JSON frames, no compression) with
 * IDENTIFY → READY + GUILD_CREATE, heartbeats, dispatches with sequence numbers, and RESUME
 * replaying what the client missed. Records every REST call; failures can be scripted.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { WAIT_MS } from '../wait.ts';

// Fake payloads are free-form JSON.
type Json = Record<string, any>;

export interface RestCall {
  readonly method: string;
  /** Decoded path after `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  readonly path: string;
  readonly body: Json | undefined;
  readonly status: number;
  readonly at: number;
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly global_name: string;
  readonly discriminator: '0';
  readonly avatar: null;
  readonly bot?: boolean;
}

export interface FakeMessage extends Json {
  readonly id: string;
  channel_id: string;
  content: string;
  embeds: Json[];
  components: Json[];
  flags: number;
  /** Set for interaction answers: the token they belong to. */
  interaction_token?: string;
  deleted?: boolean;
}

/** A scripted failure for the next request matching `method` and `path`. */
export interface ScriptedFailure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  /** Seconds, sent as `Retry-After` and `retry_after` (429 only). */
  readonly retryAfter?: number;
  readonly code?: number;
  /** Do the work, then answer with the failure (a response lost after the fact). */
  readonly afterEffect?: boolean;
}

let counter = 0n;
/** A snowflake-shaped id (timestamp << 22 | counter), increasing like Discord's. */
export const snowflake = (): string => String(((BigInt(Date.now()) - 1420070400000n) << 22n) + (counter++ % 4096n));

/** How long Discord remembers an enforced nonce ("a few minutes"). */
const NONCE_WINDOW_MS = 5 * 60_000;

export class DiscordFake {
  readonly calls: RestCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly bot: FakeUser = {
    id: snowflake(),
    username: 'sportello',
    global_name: 'Sportello',
    discriminator: '0',
    avatar: null,
    bot: true,
  };
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  readonly commands: Json[] = [];
  /** Gateway counters, for assertions. */
  identifies = 0;
  resumes = 0;
  /** Events sent again in answer to RESUMEs. */
  replayed = 0;

  private readonly channels = new Map<string, Json>();
  private readonly dmChannels = new Map<string, string>();
  private readonly users = new Map<string, FakeUser>();
  private readonly acked = new Set<string>();
  private readonly originals = new Map<string, FakeMessage>();
  private failures: ScriptedFailure[] = [];
  private socket: WebSocket | undefined;
  private live = false;
  private sessionId = '';
  private seq = 0;
  private events: Json[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly callObservers = new Set<(call: RestCall) => void>();

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
  ) {}

  static async start(): Promise<DiscordFake> {
    const server = createServer();
    const fake = new DiscordFake(server, new WebSocketServer({ server }));
    server.on('request', (req, res) => void fake.onRequest(req, res));
    fake.wss.on('connection', (ws) => fake.onConnection(ws));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get origin(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The REST base to configure: discord.js appends `/v10/<route>`. */
  get apiUrl(): string {
    return `http://${this.origin}/api`;
  }

  // ── world ──────────────────────────────────────────────────────────────────────────────

  user(name: string): FakeUser {
    const u: FakeUser = {
      id: snowflake(),
      username: name.toLowerCase().replace(/\s+/g, '.'),
      global_name: name,
      discriminator: '0',
      avatar: null,
    };
    this.users.set(u.id, u);
    return u;
  }

  /** A guild text channel; after login it is announced with CHANNEL_CREATE. */
  textChannel(name: string): string {
    const ch = {
      id: snowflake(),
      type: 0,
      guild_id: this.guildId,
      name,
      position: this.channels.size,
      permission_overwrites: [],
      parent_id: null,
    };
    this.channels.set(ch.id, ch);
    if (this.sessionId) this.dispatch('CHANNEL_CREATE', ch);
    return ch.id;
  }

  dmChannelOf(userId: string): string {
    let id = this.dmChannels.get(userId);
    if (!id) {
      id = snowflake();
      this.dmChannels.set(userId, id);
    }
    return id;
  }

  /** A user opens a thread on a message (Discord gives the thread the message's id). */
  openThread(parentId: string, messageId: string, name: string): string {
    const thread = {
      id: messageId,
      type: 11,
      guild_id: this.guildId,
      parent_id: parentId,
      name,
      owner_id: this.bot.id,
      thread_metadata: { archived: false, auto_archive_duration: 10080, archive_timestamp: new Date().toISOString(), locked: false },
      message_count: 0,
      member_count: 1,
    };
    this.channels.set(thread.id, thread);
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return thread.id;
  }

  /** Messages the bot posted (or edited) in a channel, oldest first. */
  posted(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !m.interaction_token);
  }

  /** Messages that answered an interaction (placeholder edits and follow-ups). */
  answers(token: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.interaction_token === token);
  }

  callsTo(method: string, path: RegExp): RestCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Calls `listener` after every REST call (benchmarks time replies with it); returns an unsubscribe. */
  onCall(listener: (call: RestCall) => void): () => void {
    this.callObservers.add(listener);
    return () => this.callObservers.delete(listener);
  }

  fail(...failures: ScriptedFailure[]): void {
    this.failures.push(...failures);
  }

  /** Resolves when `check` holds (re-checked after every REST call), or rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = WAIT_MS, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          this.listeners.delete(done);
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(done, 25);
        this.listeners.add(done);
      });
    }
  }

  // ── gateway events a user causes ───────────────────────────────────────────────────────

  /** A DM to the bot; returns the message id. */
  dm(from: FakeUser, content: string): string {
    const id = snowflake();
    this.dispatch('MESSAGE_CREATE', { ...this.messageBase(id, this.dmChannelOf(from.id), from, content), channel_type: 1 });
    return id;
  }

  /** A message in a guild channel or thread. */
  say(channelId: string, from: FakeUser, content: string): string {
    const id = snowflake();
    this.dispatch('MESSAGE_CREATE', { ...this.messageBase(id, channelId, from, content), guild_id: this.guildId, member: this.member() });
    return id;
  }

  /** A slash command; `channelId` undefined means in the user's DM with the bot. */
  slash(from: FakeUser, channelId: string | undefined, name: string, options: Record<string, string> = {}): Json {
    const command = this.commands.find((c) => c.name === name);
    return this.interact(from, channelId, 2, {
      id: command?.id ?? snowflake(),
      name,
      type: 1,
      options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })),
    });
  }

  /** A press on a button of a message the bot posted. */
  click(from: FakeUser, message: FakeMessage, customId: string): Json {
    const inDm = [...this.dmChannels.values()].includes(message.channel_id);
    return this.interact(from, inDm ? undefined : message.channel_id, 3, { custom_id: customId, component_type: 2 }, message);
  }

  /** A choice in a string select of a message the bot posted. */
  choose(from: FakeUser, message: FakeMessage, customId: string, value: string): Json {
    const inDm = [...this.dmChannels.values()].includes(message.channel_id);
    return this.interact(
      from,
      inDm ? undefined : message.channel_id,
      3,
      { custom_id: customId, component_type: 3, values: [value] },
      message,
    );
  }

  /** Sends a dispatch (or, while disconnected, keeps it for the RESUME replay); returns its seq. */
  dispatch(t: string, d: Json): number {
    const event = { op: 0, t, s: ++this.seq, d };
    this.events.push(event);
    if (this.live) this.socket?.send(JSON.stringify(event));
    return event.s;
  }

  /** The sequence number of the last dispatch. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Delivers an already dispatched event again, as a new dispatch (a duplicate delivery). */
  redeliver(seq: number): void {
    const e = this.events.find((x) => x.s === seq);
    if (e) this.dispatch(e.t, e.d);
  }

  /** Closes the gateway connection with a resumable code; events sent meanwhile are kept. */
  drop(code = 4000): void {
    this.live = false;
    this.socket?.close(code, 'fake gateway drop');
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── gateway protocol ───────────────────────────────────────────────────────────────────

  private onConnection(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    this.live = false;
    ws.on('close', () => {
      if (this.socket === ws) {
        this.socket = undefined;
        this.live = false;
      }
    });
    ws.on('message', (raw) => {
      const p = JSON.parse(String(raw)) as { op: number; d: Json };
      if (p.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      else if (p.op === 2) this.identify();
      else if (p.op === 6) this.resume(ws, p.d);
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null }));
  }

  private identify(): void {
    this.identifies++;
    this.sessionId = snowflake();
    this.events = [];
    this.seq = 0;
    this.live = true;
    this.dispatch('READY', {
      v: 10,
      user: this.bot,
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: this.sessionId,
      resume_gateway_url: `ws://${this.origin}`,
      application: { id: this.applicationId, flags: 0 },
      shard: [0, 1],
    });
    this.dispatch('GUILD_CREATE', {
      id: this.guildId,
      name: 'Rete Volontari ICT',
      icon: null,
      owner_id: snowflake(),
      unavailable: false,
      member_count: 3,
      features: [],
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: '0',
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [...this.channels.values()].filter((c) => c.type === 0),
      threads: [...this.channels.values()].filter((c) => c.type === 11),
      members: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
    });
  }

  private resume(ws: WebSocket, d: Json): void {
    if (d.session_id !== this.sessionId) {
      ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
      return;
    }
    this.resumes++;
    for (const e of this.events.filter((x) => x.s > d.seq)) {
      this.replayed++;
      ws.send(JSON.stringify(e));
    }
    this.live = true;
    ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: null, d: {} }));
  }

  private messageBase(id: string, channelId: string, author: FakeUser, content: string): Json {
    return {
      id,
      channel_id: channelId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      components: [],
    };
  }

  private member(): Json {
    return { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, permissions: '0' };
  }

  private interact(from: FakeUser, channelId: string | undefined, type: number, data: Json, message?: FakeMessage): Json {
    const id = snowflake();
    const channel = channelId ? this.channels.get(channelId) : { id: this.dmChannelOf(from.id), type: 1, recipients: [from] };
    const payload = {
      id,
      application_id: this.applicationId,
      type,
      token: `tok-${id}`,
      version: 1,
      channel,
      channel_id: channel?.id,
      ...(channelId ? { guild_id: this.guildId, member: { ...this.member(), user: from }, guild_locale: 'it' } : { user: from }),
      app_permissions: '0',
      locale: 'it',
      entitlements: [],
      authorizing_integration_owners: {},
      context: channelId ? 0 : 1,
      attachment_size_limit: 8388608,
      data,
      ...(message ? { message: { ...this.messageBase(message.id, message.channel_id, this.bot, message.content), ...message } } : {}),
    };
    this.dispatch('INTERACTION_CREATE', payload);
    return payload;
  }

  // ── REST ───────────────────────────────────────────────────────────────────────────────

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const contentType = String(req.headers['content-type'] ?? '');
    const text = contentType.startsWith('multipart/form-data') ? '' : Buffer.concat(chunks).toString('utf8');
    const body = contentType.startsWith('multipart/form-data')
      ? await multipartBody(Buffer.concat(chunks), contentType)
      : text
        ? (JSON.parse(text) as Json)
        : undefined;
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''));
    const failure = this.takeFailure(method, path);
    let out = failure && !failure.afterEffect ? undefined : this.route(method, path, body);
    if (failure) out = this.failureResponse(failure);
    const { status, json, headers } = out ?? { status: 500 };
    const call = { method, path, body, status, at: Date.now() };
    this.calls.push(call);
    for (const o of this.callObservers) o(call);
    res.writeHead(status, { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(json === undefined ? undefined : JSON.stringify(json));
    for (const l of [...this.listeners]) l();
  }

  private takeFailure(method: string, path: string): ScriptedFailure | undefined {
    const i = this.failures.findIndex((f) => f.method === method && f.path.test(path));
    return i < 0 ? undefined : this.failures.splice(i, 1)[0];
  }

  private failureResponse(f: ScriptedFailure): Reply {
    if (f.status === 429)
      return {
        status: 429,
        json: { message: 'You are being rate limited.', retry_after: f.retryAfter ?? 1, global: false },
        headers: { 'retry-after': String(f.retryAfter ?? 1), 'x-ratelimit-scope': 'user' },
      };
    if (f.status >= 500) return { status: f.status, json: { message: 'Internal Server Error', code: 0 } };
    return { status: f.status, json: { message: 'Scripted refusal', code: f.code ?? 0 } };
  }

  private route(method: string, path: string, body: Json | undefined): Reply {
    const b = body ?? {};
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot')
      return ok({
        url: `ws://${this.origin}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    if (method === 'POST' && path === '/users/@me/channels') {
      const user = this.users.get(b.recipient_id);
      if (!user) return refuse(400, 50007, 'Cannot send messages to this user');
      return ok({ id: this.dmChannelOf(user.id), type: 1, recipients: [user], last_message_id: null, flags: 0 });
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const channelId = m[1]!;
      if (!this.channels.has(channelId) && ![...this.dmChannels.values()].includes(channelId)) return refuse(404, 10003, 'Unknown Channel');
      // Like Discord: with enforce_nonce, a nonce used in the last few minutes returns that message.
      const same =
        b.enforce_nonce &&
        [...this.messages.values()].find(
          (x) => x.channel_id === channelId && x.nonce === b.nonce && Date.now() - Date.parse(x.timestamp) < NONCE_WINDOW_MS,
        );
      if (same) return ok(same);
      const msg = this.store(channelId, b);
      const where = this.channels.has(channelId) ? { guild_id: this.guildId } : { channel_type: 1 };
      this.dispatch('MESSAGE_CREATE', { ...this.messageBase(msg.id, channelId, this.bot, msg.content), ...msg, ...where });
      return ok(msg);
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path))) {
      const msg = this.messages.get(m[2]!);
      if (!msg || msg.channel_id !== m[1]) return refuse(404, 10008, 'Unknown Message');
      if (method === 'GET') return ok(msg);
      if (method === 'PATCH') return ok(this.edit(msg, b));
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') {
      if (this.channels.has(m[2]!)) return refuse(400, 160004, 'A thread has already been created for this message');
      if (!this.messages.has(m[2]!)) return refuse(404, 10008, 'Unknown Message');
      return ok(this.channels.get(this.openThread(m[1]!, m[2]!, b.name))!);
    }
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path)) && method === 'POST') {
      if (this.acked.has(m[1]!)) return refuse(400, 40060, 'Interaction has already been acknowledged.');
      this.acked.add(m[1]!);
      if (b.type === 5) this.originals.set(m[2]!, this.store('', { content: '', flags: b.data?.flags ?? 0 }, m[2]!));
      return { status: 204 };
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(path))) {
      const original = this.originals.get(m[2]!);
      if (!original || original.deleted) return refuse(404, 10008, 'Unknown Message');
      if (method === 'PATCH') return ok(this.edit(original, b));
      if (method === 'DELETE') {
        original.deleted = true;
        return { status: 204 };
      }
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === 'POST') {
      if (!this.originals.has(m[2]!) && !this.acked.has(m[2]!.replace(/^tok-/, ''))) return refuse(404, 10015, 'Unknown Webhook');
      return ok(this.store('', b, m[2]!));
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path)) && method === 'PUT') {
      this.commands.splice(
        0,
        this.commands.length,
        ...(body as unknown as Json[]).map((c) => ({
          ...c,
          id: snowflake(),
          application_id: m![1],
          ...(m![2] ? { guild_id: m![2] } : {}),
        })),
      );
      return ok(this.commands);
    }
    return refuse(404, 0, '404: Not Found');
  }

  private store(channelId: string, b: Json, token?: string): FakeMessage {
    const msg: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      author: this.bot,
      content: b.content ?? '',
      embeds: b.embeds ?? [],
      components: b.components ?? [],
      flags: b.flags ?? 0,
      allowed_mentions: b.allowed_mentions,
      ...(b.nonce ? { nonce: b.nonce } : {}),
      ...(token ? { interaction_token: token } : {}),
      ...(b.files ? { attachments: attachmentsOf(b), files: b.files } : {}),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: 0,
    };
    this.messages.set(msg.id, msg);
    return msg;
  }

  private edit(msg: FakeMessage, b: Json): FakeMessage {
    for (const k of ['content', 'embeds', 'components', 'allowed_mentions'] as const) if (k in b) msg[k] = b[k];
    if (b.files) Object.assign(msg, { attachments: attachmentsOf(b), files: b.files });
    msg.edited_timestamp = new Date().toISOString();
    return msg;
  }
}

interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

const ok = (json: unknown): Reply => ({ status: 200, json });
const refuse = (status: number, code: number, message: string): Reply => ({ status, json: { code, message } });

/** A file uploaded with a message (multipart `files[n]`). */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly type: string;
  readonly bytes: Buffer;
}

/** A multipart message request, as discord.js sends one with files: `payload_json` plus `files[n]` parts. */
async function multipartBody(raw: Buffer, contentType: string): Promise<Json> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const payload = form.get('payload_json');
  const body: Json = typeof payload === 'string' ? (JSON.parse(payload) as Json) : {};
  const files: UploadedFile[] = [];
  for (const [field, value] of form as unknown as Iterable<[string, string | File]>)
    if (typeof value !== 'string')
      files.push({ field, filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  return { ...body, files };
}

/** The message's attachments as Discord returns them: each declared attachment matched with its uploaded file. */
function attachmentsOf(b: Json): Json[] {
  return ((b.attachments ?? []) as Json[]).map((a) => {
    const file = (b.files as UploadedFile[]).find((f) => f.field === `files[${String(a.id)}]`);
    return {
      id: snowflake(),
      filename: a.filename,
      description: a.description,
      content_type: file?.type,
      size: file?.bytes.length ?? 0,
      url: `https://cdn.discordapp.test/attachments/${String(a.filename)}`,
    };
  });
}
