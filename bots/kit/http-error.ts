/**
 * An error a route handler throws to answer with `status` and a JSON `{ error, message }`;
 * `answerError` (http-route.ts) writes it. It is an answer the handler chose, so it is not
 * logged: a handler that wants a log line writes it before throwing.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    /** Stable and machine-readable (`payload_too_large`, `rate_limited`). */
    readonly code: string,
    message = code,
    /** Extra response headers, e.g. `retry-after` on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
