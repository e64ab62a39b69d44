/**
 * The download of a person's export asked for in chat (`i miei dati`), on the app's own server:
 *
 * | route             | what |
 * |-------------------|------|
 * | GET  /miei-dati?t=… | a page whose button posts the token (a chat's link preview fetches with GET and must not burn it) |
 * | POST /miei-dati   | uses the link once → the JSON document as an attachment; refused (unknown, used, expired) → 401 page, logged |
 *
 * The link was sent only to the person, in a direct message; it is valid 10 minutes and once, and
 * the database knows it only by its hash. Nothing is cached.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Locale, toLocale } from '../../core/kernel/i18n.ts';
import type { Clock, Store } from '../../core/kernel/ports.ts';
import { t } from '../../core/privacy/messages.ts';
import type { ExportLinkRefusal } from '../../core/privacy/ports.ts';
import { downloadExport, EXPORT_PATH } from '../../core/privacy/privacy.ts';
import { type HttpRoute, httpRoute } from '../kit/http-route.ts';
import { readBody } from '../kit/read-body.ts';

const BODY_LIMIT = 4 * 1024;

export interface PrivacyRoutesDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, l: Locale, body: string): void {
  const html = `<!doctype html><html lang="${l}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t(l, 'privacy.page.title'))}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2530}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>${esc(t(l, 'privacy.page.title'))}</h1>${body}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  });
  res.end(html);
}

/** The language of the page: the first of Accept-Language we speak. */
function localeOf(req: IncomingMessage, fallback: Locale): Locale {
  for (const part of String(req.headers['accept-language'] ?? '').split(',')) {
    const l = toLocale(part.split(';')[0]?.trim() ?? '');
    if (l) return l;
  }
  return fallback;
}

const REFUSAL: Readonly<Record<ExportLinkRefusal, 'privacy.page.link_unknown' | 'privacy.page.link_used' | 'privacy.page.link_expired'>> = {
  unknown: 'privacy.page.link_unknown',
  used: 'privacy.page.link_used',
  expired: 'privacy.page.link_expired',
};

export function privacyRoutes(deps: PrivacyRoutesDeps): HttpRoute[] {
  const { store, clock, log } = deps;
  return [
    httpRoute(
      'GET',
      EXPORT_PATH,
      async (req, res) => {
        const l = localeOf(req, deps.defaultLocale);
        const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('t') ?? '';
        if (!token || token.length > 200) return page(res, 401, l, `<p>${esc(t(l, 'privacy.page.link_unknown'))}</p>`);
        page(
          res,
          200,
          l,
          `<p>${esc(t(l, 'privacy.page.help'))}</p><form method="post" action="${EXPORT_PATH}"><input type="hidden" name="t" value="${esc(token)}"><button type="submit">${esc(t(l, 'privacy.page.download'))}</button></form>`,
        );
      },
      log,
    ),
    httpRoute(
      'POST',
      EXPORT_PATH,
      async (req, res) => {
        const l = localeOf(req, deps.defaultLocale);
        const token = new URLSearchParams((await readBody(req, BODY_LIMIT)).toString('utf8')).get('t') ?? '';
        const result =
          token && token.length <= 200 ? await downloadExport(store, clock, token) : ({ ok: false, refused: 'unknown' } as const);
        if (!result.ok) {
          log.warn({ reason: result.refused, ip: req.socket.remoteAddress }, 'privacy: export link refused');
          return page(res, 401, l, `<p>${esc(t(l, REFUSAL[result.refused]))}</p>`);
        }
        log.info({ personId: result.personId }, 'privacy: export downloaded');
        const body = JSON.stringify(result.data, null, 2);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="sportello-dati-${clock.now().toISOString().slice(0, 10)}.json"`,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.end(body);
      },
      log,
    ),
  ];
}
