/**
 * Bot API calls with a deadline. Telegraf's own limit is 500 s per request; a call stuck that
 * long would stall polling or outlive the outbox lease (and another worker would send again).
 */
import type { Telegram } from 'telegraf';
import type { Telegram as Methods, Opts } from 'telegraf/types';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

/** `telegram.callApi(method, payload)`, aborted after `timeoutMs`. */
export function callBotApi<M extends keyof Methods>(
  telegram: Telegram,
  method: M,
  payload: Opts<M>,
  timeoutMs: number,
): Promise<ReturnType<Methods[M]>> {
  // Telegraf types the signal as the abort-controller polyfill's; node-fetch accepts Node's own.
  const signal = AbortSignal.timeout(timeoutMs) as unknown as CallOptions['signal'];
  return telegram.callApi(method, payload, { signal });
}
