import { createHmac } from 'node:crypto';
import { secretMatches } from '../kit/secret-matches.ts';

/** Slack refuses to sign requests older than this; we refuse to accept them (replay window). */
export const SIGNATURE_MAX_AGE_S = 5 * 60;

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
  return secretMatches(signature, slackSignature(req.signingSecret, timestamp, req.rawBody));
}
