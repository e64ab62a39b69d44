import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { ChannelRepository } from '../../core/kernel/ports.ts';
import type { WebMessageStore } from '../../core/kernel/web-chat-store.ts';
import type { HttpRoute, RouteLog } from '../kit/http-route.ts';
import { type StreamLimits, webChatRoutes } from './web-routes.ts';
import { WebHub, WebSender } from './web-sender.ts';

/** The built-in web chat adapter: its HTTP routes and its outbox sender. */
export function createWebChat(deps: {
  readonly engine: ConversationEngine;
  readonly messages: WebMessageStore;
  readonly channels: ChannelRepository;
  readonly log: RouteLog;
  /** The public base URL, whose pages may post too (see web-routes.ts). */
  readonly publicUrl?: string;
  /** WEB_CHAT_PUBLIC=yes: any Host name is answered (see web-routes.ts). */
  readonly anyHost?: boolean;
  readonly streamLimits?: StreamLimits;
  /** Aborted when the app starts closing (its live streams end then). */
  readonly closing?: AbortSignal;
}): { routes: HttpRoute[]; sender: WebSender; hub: WebHub } {
  const hub = new WebHub();
  return { routes: webChatRoutes({ ...deps, hub }), sender: new WebSender(deps.messages, hub), hub };
}
