import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import { chartSvg, svgDataUrl } from '../../core/kernel/chart-svg.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { ChannelRepository } from '../../core/kernel/ports.ts';
import { storableText } from '../../core/kernel/sanitize.ts';
import type { WebMessage, WebMessageStore, WebUser } from '../../core/kernel/web-chat-store.ts';
import { HttpError } from '../kit/http-error.ts';
import { sendJson } from '../kit/http-response.ts';
import { type HttpRoute, httpRoute, jsonObject, jsonRoute, type RouteLog } from '../kit/http-route.ts';
import { requireJsonBody, requireOwnHost, requireSameOrigin } from '../kit/request-guards.ts';
import { WEB_CHAT_PAGE } from './web-page.ts';
import { conversationKey, type WebHub } from './web-sender.ts';

export interface WebChatDeps {
  readonly engine: ConversationEngine;
  readonly messages: WebMessageStore;
  readonly channels: ChannelRepository;
  readonly hub: WebHub;
  /** Where a failing request is logged (it is answered 500). */
  readonly log: RouteLog;
  /** The public base URL: a page served there may post too (behind a proxy the Host differs). */
  readonly publicUrl?: string;
  /**
   * Served knowingly beyond this machine (WEB_CHAT_PUBLIC=yes): any Host name is answered, since
   * anyone on the network may use the chat anyway. Otherwise only addresses, localhost and
   * `publicUrl`'s host (see `requireOwnHost`).
   */
  readonly anyHost?: boolean;
  /** Open `/web/events` streams allowed (see `STREAM_LIMITS`). */
  readonly streamLimits?: StreamLimits;
  /** Aborted when the app starts closing: the live streams end then, not after the HTTP server's grace. */
  readonly closing?: AbortSignal;
}

export interface StreamLimits {
  /** Per demo identity: tabs of one person (a browser opens at most 6 connections to a host anyway). */
  readonly perIdentity: number;
  /** In all: each open stream holds memory (~70 kB measured), the process must not grow without end. */
  readonly total: number;
}

/**
 * Beyond these a new stream is refused (429 for the identity, 503 for the process), never an
 * open one closed: an EventSource closed by the server reconnects by itself and would close the
 * next oldest in turn (tabs evicting each other for ever), and a client opening streams in a loop
 * must not be able to cut the people already connected. A refused EventSource stops retrying;
 * the page still works by reloading the history.
 */
export const STREAM_LIMITS: StreamLimits = { perIdentity: 5, total: 200 };
const STREAM_RETRY_AFTER = '30';

/** Who may read each kind of bound channel (the community is open to everyone). */
const READERS: Readonly<Record<string, ReadonlySet<string>>> = {
  volunteers: new Set(['volunteer', 'moderator', 'committee']),
  alerts: new Set(['volunteer', 'moderator', 'committee']),
  committee: new Set(['moderator', 'committee']),
  observers: new Set(['observer', 'moderator', 'committee']),
};
const BODY_LIMIT = 16 * 1024;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/**
 * The web chat's HTTP surface. It is a local trial adapter: the browser picks a demo identity
 * and nothing authenticates it, so production deployments turn it off (WEB_CHAT=off).
 */
/**
 * A stored message as the page gets it: a chart is drawn here as an SVG `data:` URL
 * (`imageSrc`) that the page shows in an <img> with the image's alt text. The SVG is ours
 * (chart-svg.ts escapes every label), and an <img> never runs what an SVG might contain.
 */
export function forBrowser(m: WebMessage): WebMessage | (WebMessage & { readonly imageSrc: string }) {
  return m.message.image ? { ...m, imageSrc: svgDataUrl(chartSvg(m.message.image.chart)) } : m;
}

export function webChatRoutes(deps: WebChatDeps): HttpRoute[] {
  async function userOr404(handle: unknown): Promise<WebUser> {
    const user = typeof handle === 'string' ? await deps.messages.user(handle) : undefined;
    if (!user) throw new HttpError(404, 'not_found', 'unknown web identity');
    return user;
  }

  async function webChannels(): Promise<{ id: string; purpose: string }[]> {
    return (await deps.channels.list()).filter((b) => b.platform === 'web').map((b) => ({ id: b.conversationId, purpose: b.purpose }));
  }

  /** A person sees their own DM, the channels their roles may read, and the community. */
  async function canView(user: WebUser, conversation: string): Promise<boolean> {
    if (conversation === conversationKey('dm', user.handle)) return true;
    const purposes = (await webChannels()).filter((c) => c.id === conversation).map((c) => c.purpose);
    return purposes.some((p) => p === 'community' || user.roles.some((r) => READERS[p]?.has(r)));
  }

  const notYours = () => new HttpError(403, 'forbidden', 'not your conversation');

  const visibleTo = (user: WebUser, m: WebMessage) => m.ephemeralTo === null || m.ephemeralTo === user.handle;

  async function inbound(body: Record<string, unknown>, res: ServerResponse, kind: 'text' | 'action'): Promise<void> {
    // Everything is checked before anything is stored: a refused send leaves no trace.
    const user = await userOr404(body.as);
    const conversation = str(body.conversation, 200);
    if (body.clientId !== undefined && !(typeof body.clientId === 'string' && CLIENT_ID.test(body.clientId)))
      throw new HttpError(400, 'invalid_payload', 'clientId: 1 to 100 letters, digits, "-" or "_"');
    const clientId = typeof body.clientId === 'string' ? body.clientId : randomUUID();
    if (body.threadOf !== undefined && body.threadOf !== null && !(typeof body.threadOf === 'string' && UUID.test(body.threadOf)))
      throw new HttpError(400, 'invalid_payload', 'threadOf: the id of a message (a UUID)');
    const threadOf = typeof body.threadOf === 'string' ? body.threadOf : undefined;
    if (!conversation || !(await canView(user, conversation))) throw notYours();
    const isDm = conversation.startsWith('dm:');
    const base = {
      platform: 'web' as const,
      deliveryId: clientId,
      conversation: {
        id: isDm ? user.handle : conversation,
        kind: isDm ? ('dm' as const) : ('channel' as const),
        ...(threadOf ? { threadId: threadOf } : {}),
      },
      sender: { externalId: user.handle, displayName: user.displayName },
    };
    let event: Inbound;
    if (kind === 'text') {
      const typed = str(body.text, 4000);
      if (!typed?.trim()) throw new HttpError(400, 'invalid_payload', 'text: 1 to 4000 characters');
      // A NUL or half an emoji a browser can send: replaced, never a 500.
      const text = storableText(typed);
      // Show the person's own words first; a resend with the same clientId is the same message here and one event for the engine.
      const mine = await deps.messages.add(
        { conversation, threadOf: threadOf ?? null, author: user.handle, ephemeralTo: null, message: { text } },
        clientId,
      );
      deps.hub.publish(mine);
      event = { ...base, text };
    } else {
      const actionId = str(body.actionId, 100);
      const value = typeof body.value === 'string' && body.value.length <= 200 ? body.value : undefined;
      if (!actionId || value === undefined) throw new HttpError(400, 'invalid_payload', 'actionId and value required');
      event = { ...base, action: { id: actionId, value: storableText(value) } };
    }
    const result = await deps.engine.handle(event);
    sendJson(res, 202, { status: result.status });
  }

  const get = (path: string, fn: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) =>
    httpRoute(
      'GET',
      path,
      (req, res) => {
        if (!deps.anyHost) requireOwnHost(req, deps.publicUrl);
        return fn(req, res, new URL(req.url ?? '/', 'http://localhost'));
      },
      deps.log,
    );
  const post = (path: string, kind: 'text' | 'action') =>
    jsonRoute({
      path,
      limitBytes: BODY_LIMIT,
      log: deps.log,
      // Anyone reaching the chat may post as a demo identity: at least no other site's page, through the local browser.
      authorize: (req) => {
        if (!deps.anyHost) requireOwnHost(req, deps.publicUrl);
        requireSameOrigin(req, deps.publicUrl);
        requireJsonBody(req);
      },
      parse: jsonObject,
      handle: (body, _req, res) => inbound(body, res, kind),
    });

  const limits = deps.streamLimits ?? STREAM_LIMITS;
  const openStreams = new Map<string, number>();
  let openTotal = 0;
  /** Counts a stream in; its returned release is idempotent. Throws 503 / 429 beyond the limits. */
  function admitStream(handle: string): () => void {
    if (openTotal >= limits.total)
      throw new HttpError(503, 'too_many_streams', `${limits.total} live streams are open on this server: try again later`, {
        'retry-after': STREAM_RETRY_AFTER,
      });
    const mine = openStreams.get(handle) ?? 0;
    if (mine >= limits.perIdentity)
      throw new HttpError(429, 'too_many_streams', `${handle} already has ${mine} live streams open: close a tab`, {
        'retry-after': STREAM_RETRY_AFTER,
      });
    openStreams.set(handle, mine + 1);
    openTotal++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      openTotal--;
      const left = (openStreams.get(handle) ?? 1) - 1;
      if (left > 0) openStreams.set(handle, left);
      else openStreams.delete(handle);
    };
  }

  return [
    {
      method: 'GET',
      path: '/',
      handle: (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        });
        res.end(WEB_CHAT_PAGE);
      },
    },
    get('/web/users', async (_q, res) => sendJson(res, 200, await deps.messages.users())),
    get('/web/conversations', async (_q, res, url) => {
      const user = await userOr404(url.searchParams.get('as'));
      const channels = [];
      for (const c of await webChannels()) if (await canView(user, c.id)) channels.push(c);
      sendJson(res, 200, { dm: conversationKey('dm', user.handle), channels });
    }),
    get('/web/history', async (_q, res, url) => {
      const user = await userOr404(url.searchParams.get('as'));
      const conversation = url.searchParams.get('conversation') ?? '';
      if (!(await canView(user, conversation))) throw notYours();
      sendJson(res, 200, (await deps.messages.list(conversation, 200)).filter((m) => visibleTo(user, m)).map(forBrowser));
    }),
    post('/web/send', 'text'),
    post('/web/action', 'action'),
    get('/web/events', async (req, res, url) => {
      const user = await userOr404(url.searchParams.get('as'));
      const channels = new Set<string>([conversationKey('dm', user.handle)]);
      for (const c of await webChannels()) if (await canView(user, c.id)) channels.add(c.id);
      // A client gone while its identity was looked up would never emit 'close' again: nothing to count.
      if (req.socket.destroyed) return;
      // Counted only now, synchronously up to the listeners below: no await between admitting and releasing on close.
      const release = admitStream(user.handle);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const off = deps.hub.subscribe((m) => {
        if (channels.has(m.conversation) && visibleTo(user, m)) res.write(`data: ${JSON.stringify(forBrowser(m))}\n\n`);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
      const stop = () => res.end();
      deps.closing?.addEventListener('abort', stop, { once: true });
      const end = () => {
        clearInterval(ping);
        off();
        release();
        deps.closing?.removeEventListener('abort', stop);
      };
      req.on('close', end);
      res.on('close', end);
      if (deps.closing?.aborted) stop();
    }),
  ];
}
