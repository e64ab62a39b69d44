/**
 * One rule for what the outbox does after a platform refused or missed a delivery. Each
 * sender says what its client threw in HTTP terms; this turns that into a `DeliveryError`:
 *
 * - a wait the platform asked for (429 Retry-After) → retry after that wait (1 s if none given);
 * - no answer at all (network failure, our timeout: the message may or may not have arrived),
 *   408, or 5xx → retry with the outbox's backoff; with no answer (or a gateway's 502/504) the
 *   next attempt is also told its fate is unknown (`fateUnknown`), so a sender that can ask the
 *   platform looks first, unless the request never left (connection refused, no such host);
 * - any other 4xx (unknown chat, blocked, forbidden, bad request) → permanent: retrying
 *   cannot fix it.
 */
import { DeliveryError } from '../../core/kernel/outbox.ts';

/** A platform client's failure in HTTP terms. */
export interface PlatformFailure {
  /** For the log and the outbox row: platform, call, status and the platform's words. */
  readonly what: string;
  /** Absent when no answer came (network failure, timeout). */
  readonly status?: number | undefined;
  /** The wait the platform asked for, in ms. */
  readonly retryAfterMs?: number | undefined;
  /** Overrides the decision by status, for refusals the platform sends with a 2xx (Slack's `ok: false`). */
  readonly transient?: boolean | undefined;
  /** No answer, but the request provably never reached the platform (see `neverSent`). */
  readonly neverSent?: boolean | undefined;
  /** Overrides the decision by status: an answer that says the platform may have acted anyway. */
  readonly fateUnknown?: boolean | undefined;
}

/** The outbox's decision for `failure` (see the module comment). */
export function deliveryError(failure: PlatformFailure): DeliveryError {
  const { what, status, retryAfterMs } = failure;
  if (retryAfterMs !== undefined || status === 429) return new DeliveryError(what, { retryAfterMs: retryAfterMs ?? 1000 });
  const transient = failure.transient ?? (status === undefined || status === 408 || status >= 500);
  if (!transient) return new DeliveryError(what, { permanent: true });
  const unknown = failure.fateUnknown ?? (status === undefined ? failure.neverSent !== true : GATEWAY_GAVE_UP.has(status));
  return new DeliveryError(what, unknown ? { fateUnknown: true } : {});
}

/** A gateway in front of the platform got no (valid) answer from it: the platform may have acted. */
const GATEWAY_GAVE_UP = new Set([502, 504]);

/** Failures before a byte of the request could reach the platform. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);

/** Whether `err` (or an error it wraps: `cause`, the Slack client's `original`) says no connection was made. */
export function neverSent(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, cause, original } = e as { code?: unknown; cause?: unknown; original?: unknown };
    if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
    e = cause ?? original;
  }
  return false;
}

/**
 * Maps whatever a platform call threw: a `DeliveryError` stays as it is; `describe` reads the
 * client's own error types (undefined for anything else); what it does not know is taken as a
 * network failure, labelled `label: <message>`.
 */
export function mapDeliveryError(err: unknown, label: string, describe: (err: unknown) => PlatformFailure | undefined): DeliveryError {
  if (err instanceof DeliveryError) return err;
  return deliveryError(
    describe(err) ?? { what: `${label}: ${err instanceof Error ? err.message : String(err)}`, neverSent: neverSent(err) },
  );
}
