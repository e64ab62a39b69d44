/**
 * Waiting in tests. A test waits for a condition (a readiness signal, or polling), never for a
 * fixed time, and the deadline is generous: the suite must pass on a machine half as fast as
 * a developer's with another `npm test` running beside it. A wait ends as soon as its
 * condition holds; the deadline only bounds how long a broken promise takes to fail.
 */
export const WAIT_MS = 20_000;

/** Polls `probe` every `everyMs` until it returns something other than undefined or false. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = WAIT_MS,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
