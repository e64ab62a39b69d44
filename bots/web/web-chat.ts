import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { ChannelRepository } from '../../core/kernel/ports.ts';
import type { WebMessageStore } from './web-message-store.ts';
import { webChatRoutes, type WebRoute } from './web-routes.ts';
import { WebHub, WebSender } from './web-sender.ts';

/** The built-in web chat adapter: its HTTP routes and its outbox sender. */
export function createWebChat(deps: {
  readonly engine: ConversationEngine;
  readonly messages: WebMessageStore;
  readonly channels: ChannelRepository;
}): { routes: WebRoute[]; sender: WebSender; hub: WebHub } {
  const hub = new WebHub();
  return { routes: webChatRoutes({ ...deps, hub }), sender: new WebSender(deps.messages, hub), hub };
}
