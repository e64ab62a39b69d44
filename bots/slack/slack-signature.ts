import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to sign requests older than this; we refuse to accept them (replay window). */
export const SIGNATURE_MAX_AGE_S = 5 * 60;

/** `v0=` and the 64 hex digits of a SHA-256 HMAC, as Slack (and `slackSignature`) writes them. */
const SIGNATURE_SHAPE = /^v0=[0-9a-f]{64}$/;

/** `v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")>`, as Slack signs requests. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/**
 * Whether a request really comes from Slack: the `x-slack-signature` header matches the HMAC of
 * the raw body and the `x-slack-request-timestamp` is within five minutes of `nowMs` (either
 * way, so a clock skew cannot open an unbounded replay window).
 */
export function verifySlackSignature(req: {
  readonly signingSecret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: Buffer;
  readonly nowMs: number;
}): boolean {
  const { timestamp, signature } = req;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(req.nowMs / 1000 - Number(timestamp)) > SIGNATURE_MAX_AGE_S) return false;
  // Every signature has this one public shape: refusing others leaks nothing, and lets the
  // digests be compared as bytes, in constant time, without hashing both sides again.
  if (!SIGNATURE_SHAPE.test(signature)) return false;
  const expected = createHmac('sha256', req.signingSecret).update(`v0:${timestamp}:`).update(req.rawBody).digest();
  return timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), expected);
}
