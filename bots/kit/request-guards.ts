/**
 * Guards for routes a browser page posts to (the web chat, the dashboard's sign-in): a page of
 * another site must not be able to post as the local user. Both run before the body is read
 * (`jsonRoute`'s `authorize`, or first thing in a handler).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http-error.ts';

/**
 * 415 unless the body is declared `application/json`. A page of another site can send
 * `text/plain` (or a form) without asking first; to send JSON it needs a CORS preflight, which
 * this server never grants.
 */
export function requireJsonBody(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, 'unsupported_media_type', 'the body must be JSON, sent as content-type: application/json');
  }
}

/**
 * 421 unless the request names this server by a name no other site can take over: an IP
 * address, `localhost` (or a `.localhost` name), or `publicUrl`'s host. Against DNS rebinding:
 * a page of evil.example whose name is made to point at 127.0.0.1 would otherwise be
 * "same-origin" with the local web chat and could post and read as any demo identity.
 */
export function requireOwnHost(req: IncomingMessage, publicUrl: string | undefined): void {
  const host = hostnameOf(req.headers.host);
  if (host !== undefined) {
    if (host === 'localhost' || host.endsWith('.localhost') || isIpLiteral(host)) return;
    if (publicUrl && host === hostnameOf(safeHost(publicUrl))) return;
  }
  req.resume();
  throw new HttpError(
    421,
    'unknown_host',
    `this server does not answer as ${host ?? 'an unnamed host'}: use its address, localhost, or the configured PUBLIC_URL`,
  );
}

/** The host name of a Host header, lower case, without the port and IPv6 brackets. */
function hostnameOf(header: string | undefined): string | undefined {
  const h = header?.trim().toLowerCase();
  if (!h) return undefined;
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.replace(/:\d*$/, '');
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

const isIpLiteral = (host: string): boolean => isIP(host) !== 0;

/** The origins this server answers as: the Host the request came to (http or https), and `publicUrl`'s. */
function ownOrigins(req: IncomingMessage, publicUrl: string | undefined): Set<string> {
  const origins = new Set<string>();
  const host = req.headers.host?.trim().toLowerCase();
  if (host) for (const scheme of ['http', 'https']) origins.add(`${scheme}://${host}`);
  if (publicUrl) {
    try {
      origins.add(new URL(publicUrl).origin.toLowerCase());
    } catch {
      // A malformed PUBLIC_URL is refused by the configuration; here it only adds nothing.
    }
  }
  return origins;
}

/**
 * 403 when a browser says the request comes from another site. `Origin`, when a real one, must
 * be this server's (its Host, or `publicUrl`'s origin behind a proxy). `Origin: null` (a page
 * with `Referrer-Policy: no-referrer` posting a form, a sandboxed frame) is accepted only with
 * `Sec-Fetch-Site: same-origin` (or `none`: typed by the user). Without either header the
 * request does not come from a browser page (curl, a script): nothing to forge, it passes.
 */
export function requireSameOrigin(req: IncomingMessage, publicUrl?: string): void {
  const origin = req.headers.origin?.trim().toLowerCase();
  const site = req.headers['sec-fetch-site'];
  const refuse = (why: string) => {
    req.resume();
    return new HttpError(403, 'cross_origin', why);
  };
  if (origin && origin !== 'null') {
    if (!ownOrigins(req, publicUrl).has(origin))
      throw refuse(`requests from ${origin} are not accepted: this page is not part of this site`);
    return;
  }
  if (typeof site === 'string') {
    if (site === 'same-origin' || site === 'none') return;
    throw refuse(`requests from another site (${site}) are not accepted`);
  }
  if (origin === 'null') throw refuse('requests from an opaque origin are not accepted');
}
