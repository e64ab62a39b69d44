import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../core/kernel/outbox.ts';
import { deliveryError, mapDeliveryError, type PlatformFailure } from './delivery-error.ts';

describe('deliveryError', () => {
  it.each<[string, PlatformFailure, DeliveryError['options']]>([
    ['429 with Retry-After', { what: 'x', status: 429, retryAfterMs: 7000 }, { retryAfterMs: 7000 }],
    ['429 without one waits a second', { what: 'x', status: 429 }, { retryAfterMs: 1000 }],
    ['a client-side rate limit (no status)', { what: 'x', retryAfterMs: 0 }, { retryAfterMs: 0 }],
    ['no answer (network): its fate is unknown', { what: 'x' }, { fateUnknown: true }],
    ['no answer, never sent', { what: 'x', neverSent: true }, {}],
    ['408', { what: 'x', status: 408 }, {}],
    ['500', { what: 'x', status: 500 }, {}],
    ['502 from a gateway: the platform may have acted', { what: 'x', status: 502 }, { fateUnknown: true }],
    ['504 from a gateway', { what: 'x', status: 504 }, { fateUnknown: true }],
    ['a 2xx refusal that says it may have acted', { what: 'x', status: 200, transient: true, fateUnknown: true }, { fateUnknown: true }],
    ['no answer, but a client-side refusal', { what: 'x', fateUnknown: false }, {}],
    ['503', { what: 'x', status: 503 }, {}],
    ['400', { what: 'x', status: 400 }, { permanent: true }],
    ['403', { what: 'x', status: 403 }, { permanent: true }],
    ['404', { what: 'x', status: 404 }, { permanent: true }],
    ['a 2xx refusal marked transient', { what: 'x', status: 200, transient: true }, {}],
    ['a 2xx refusal marked permanent', { what: 'x', status: 200, transient: false }, { permanent: true }],
    ['a 5xx the platform says is final', { what: 'x', status: 502, transient: false }, { permanent: true }],
  ])('%s', (_name, failure, options) => {
    const e = deliveryError(failure);
    expect(e).toBeInstanceOf(DeliveryError);
    expect(e.options).toEqual(options);
    expect(e.message).toBe('x');
  });
});

describe('mapDeliveryError', () => {
  class PlatformError extends Error {
    constructor(readonly status: number) {
      super(`platform ${status}`);
    }
  }
  const describeErr = (e: unknown) => (e instanceof PlatformError ? { what: e.message, status: e.status } : undefined);

  it('reads the client errors it knows, keeps a DeliveryError, and takes the rest as network failures', () => {
    expect(mapDeliveryError(new PlatformError(404), 'acme', describeErr).options).toEqual({ permanent: true });
    const own = new DeliveryError('already decided', { permanent: true });
    expect(mapDeliveryError(own, 'acme', describeErr)).toBe(own);
    const network = mapDeliveryError(new TypeError('fetch failed'), 'acme sendMessage', describeErr);
    expect([network.message, network.options]).toEqual(['acme sendMessage: fetch failed', { fateUnknown: true }]);
    expect(mapDeliveryError('weird', 'acme', describeErr).message).toBe('acme: weird');
  });

  it('knows a request that never left: refused or unresolved, however deep the client wrapped it', () => {
    const code = (c: string) => Object.assign(new Error(c), { code: c });
    const refused = new TypeError('fetch failed', { cause: code('ECONNREFUSED') });
    expect(mapDeliveryError(refused, 'acme', describeErr).options).toEqual({});
    const slackWrapped = Object.assign(new Error('A request error occurred'), { code: 'slack_webapi_request_error', original: refused });
    expect(mapDeliveryError(slackWrapped, 'acme', describeErr).options).toEqual({});
    expect(mapDeliveryError(code('ENOTFOUND'), 'acme', describeErr).options).toEqual({});
    // Cut or timed out after sending: it may have arrived.
    expect(mapDeliveryError(code('ECONNRESET'), 'acme', describeErr).options).toEqual({ fateUnknown: true });
    expect(mapDeliveryError(new TypeError('fetch failed', { cause: code('UND_ERR_SOCKET') }), 'acme', describeErr).options).toEqual({
      fateUnknown: true,
    });
  });
});
