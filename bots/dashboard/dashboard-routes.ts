/**
 * The dashboard's HTTP surface at /cruscotto, on the app's own server:
 *
 * | route                          | without a session | with one |
 * |--------------------------------|-------------------|----------|
 * | GET  /cruscotto                | how to sign in from chat | the page |
 * | GET  /cruscotto/entra?t=…      | a page whose form posts the token (previews only GET: they cannot burn it) | |
 * | POST /cruscotto/entra          | uses the link once → session cookie, 303 /cruscotto; refused → 401 page, logged; from another site → 403 | |
 * | POST /cruscotto/esci           | 303 (another site → 403) | ends the session, clears the cookie, 303 |
 * | GET  /cruscotto/api/overview   | 401 | the scoped figures (JSON); another organisation → 403, logged |
 * | GET  /cruscotto/api/events     | 401 | server-sent `change` events, at most one a second |
 * | GET  /cruscotto/api/chart/flow.svg, observers.svg | 401 | the report's chart (7 or 30 days) as SVG, under the reports' policy; refused → 403, logged |
 *
 * The cookie is HttpOnly, SameSite=Strict, limited to /cruscotto, and Secure behind HTTPS. It
 * holds the session token, which the database knows only by its hash. The person's roles are
 * read again at every request, so a revoked role applies at once.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DashboardViewer, dashboardViewer, loadOverview, SESSION_TTL_MS, signIn, signOut } from '../../core/dashboard/dashboard.ts';
import { dashboardLabels, dashboardText } from '../../core/dashboard/dashboard-labels.ts';
import type { DashboardFilters, LinkRefusal } from '../../core/dashboard/ports.ts';
import { chartSvg } from '../../core/kernel/chart-svg.ts';
import { DomainError } from '../../core/kernel/errors.ts';
import { type Locale, toLocale } from '../../core/kernel/i18n.ts';
import type { Clock, Store } from '../../core/kernel/ports.ts';
import { type Priority, TICKET_KINDS, type TicketKind } from '../../core/kernel/ticket.ts';
import { type DashboardChart, dashboardChart } from '../../core/reports/dashboard-chart.ts';
import { HttpError } from '../kit/http-error.ts';
import { sendJson } from '../kit/http-response.ts';
import { type HttpRoute, httpRoute } from '../kit/http-route.ts';
import { readBody } from '../kit/read-body.ts';
import { requireSameOrigin } from '../kit/request-guards.ts';
import { type ChangeHub, createChangeHub, type DashboardChanges } from './change-hub.ts';
import { dashboardPage, enterPage, noticePage } from './dashboard-page.ts';

export const SESSION_COOKIE = 'sportello_session';
const BODY_LIMIT = 4 * 1024;

export interface DashboardLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DashboardDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  /** The public base URL: an https one makes the cookie Secure. */
  readonly publicUrl?: string;
  /** What notifies that the dashboard's data changed (one database listener per process). */
  readonly changes: DashboardChanges;
  readonly log: DashboardLog;
  /** At most one `change` event per this long (default 1 s). */
  readonly coalesceMs?: number;
  /** A comment line on every stream this often, so proxies keep it open (default 25 s). */
  readonly heartbeatMs?: number;
}

export interface Dashboard {
  readonly routes: HttpRoute[];
  /** Streams open now (for tests and metrics). */
  streams(): number;
  /** Stops listening and ends the open streams. */
  close(): void;
}

/** The session token in the request's cookie, if any. */
export function sessionToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** The first language of Accept-Language (by weight) that we speak. */
export function acceptedLocale(header: string | undefined, fallback: Locale): Locale {
  const tags = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag ?? '', q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    const l = toLocale(tag);
    if (l) return l;
  }
  return fallback;
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const { store, clock, log } = deps;
  const hub: ChangeHub = createChangeHub(deps.changes, { coalesceMs: deps.coalesceMs ?? 1_000 });
  const heartbeatMs = deps.heartbeatMs ?? 25_000;
  const open = new Set<ServerResponse>();

  const secure = (req: IncomingMessage) =>
    (deps.publicUrl ?? '').toLowerCase().startsWith('https:') ||
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim()
      .toLowerCase() === 'https';
  const cookie = (req: IncomingMessage, value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/cruscotto; Max-Age=${maxAgeSeconds}${secure(req) ? '; Secure' : ''}`;
  const localeOf = (req: IncomingMessage, viewer?: DashboardViewer): Locale =>
    viewer?.person.locale ?? acceptedLocale(req.headers['accept-language'], deps.defaultLocale);
  const clientOf = (req: IncomingMessage) => ({
    ip: req.socket.remoteAddress,
    forwardedFor: req.headers['x-forwarded-for'],
    userAgent: req.headers['user-agent'],
  });

  async function viewerOf(req: IncomingMessage): Promise<DashboardViewer | undefined> {
    const token = sessionToken(req);
    return token ? dashboardViewer(store, clock, token) : undefined;
  }

  /** The viewer of a data route: 401 without a live session, 403 once the roles no longer allow it. */
  async function requireViewer(req: IncomingMessage): Promise<DashboardViewer & { view: NonNullable<DashboardViewer['view']> }> {
    const viewer = await viewerOf(req);
    if (!viewer) throw new HttpError(401, 'unauthorized', 'sign in from chat: write "cruscotto" to the bot');
    const { view } = viewer;
    if (!view) {
      log.warn({ personId: viewer.person.id, ...clientOf(req) }, 'dashboard: a session whose person may no longer see it');
      throw new HttpError(403, 'forbidden', 'your roles no longer include the dashboard');
    }
    return { ...viewer, view };
  }

  function html(res: ServerResponse, status: number, body: string, opts: { nonce?: string; headers?: Record<string, string> } = {}): void {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': `default-src 'self'; style-src 'unsafe-inline'; script-src ${opts.nonce ? `'nonce-${opts.nonce}'` : "'none'"}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      ...(opts.headers ?? {}),
    });
    res.end(body);
  }
  const nonce = () => randomBytes(16).toString('base64');

  function loginHelp(res: ServerResponse, l: Locale, status = 200): void {
    html(res, status, noticePage(l, dashboardText(l, 'dashboard.page.login_title'), dashboardText(l, 'dashboard.page.login_help')));
  }

  const REFUSAL_TEXT: Readonly<
    Record<LinkRefusal, 'dashboard.page.link_unknown' | 'dashboard.page.link_used' | 'dashboard.page.link_expired'>
  > = {
    unknown: 'dashboard.page.link_unknown',
    used: 'dashboard.page.link_used',
    expired: 'dashboard.page.link_expired',
  };

  const routes: HttpRoute[] = [
    httpRoute(
      'GET',
      '/cruscotto',
      async (req, res) => {
        const viewer = await viewerOf(req);
        const l = localeOf(req, viewer);
        if (!viewer) return loginHelp(res, l);
        if (!viewer.view)
          return html(res, 403, noticePage(l, dashboardText(l, 'dashboard.page.title'), dashboardText(l, 'dashboard.page.not_allowed')));
        const n = nonce();
        html(
          res,
          200,
          dashboardPage({ lang: l, labels: dashboardLabels(l), name: viewer.person.displayName, view: viewer.view.kind, nonce: n }),
          { nonce: n },
        );
      },
      log,
    ),
    httpRoute(
      'GET',
      '/cruscotto/entra',
      async (req, res) => {
        const l = acceptedLocale(req.headers['accept-language'], deps.defaultLocale);
        const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('t') ?? '';
        if (!token || token.length > 200) return loginHelp(res, l);
        const n = nonce();
        const labels = {
          title: dashboardText(l, 'dashboard.page.login_title'),
          enter: dashboardText(l, 'dashboard.page.enter'),
          entering: dashboardText(l, 'dashboard.page.entering'),
        };
        html(res, 200, enterPage(l, labels, token, n), { nonce: n });
      },
      log,
    ),
    httpRoute(
      'POST',
      '/cruscotto/entra',
      async (req, res) => {
        // A page of another site must not sign a browser in (login CSRF): the form is ours, same origin.
        requireSameOrigin(req, deps.publicUrl);
        const l = acceptedLocale(req.headers['accept-language'], deps.defaultLocale);
        const body = (await readBody(req, BODY_LIMIT)).toString('utf8');
        const token = new URLSearchParams(body).get('t') ?? '';
        const result = token && token.length <= 200 ? await signIn(store, clock, token) : ({ ok: false, refused: 'unknown' } as const);
        if (!result.ok) {
          log.warn({ reason: result.refused, ...clientOf(req) }, 'dashboard: login link refused');
          return html(
            res,
            401,
            noticePage(l, dashboardText(l, 'dashboard.page.login_title'), dashboardText(l, REFUSAL_TEXT[result.refused])),
          );
        }
        log.info({ personId: result.personId, ...clientOf(req) }, 'dashboard: signed in');
        res.writeHead(303, {
          location: '/cruscotto',
          'set-cookie': cookie(req, result.sessionToken, Math.floor(SESSION_TTL_MS / 1000)),
          'cache-control': 'no-store',
          'content-length': 0,
        });
        res.end();
      },
      log,
    ),
    httpRoute(
      'POST',
      '/cruscotto/esci',
      async (req, res) => {
        requireSameOrigin(req, deps.publicUrl);
        req.resume();
        const token = sessionToken(req);
        if (token) await signOut(store, clock, token);
        res.writeHead(303, { location: '/cruscotto', 'set-cookie': cookie(req, '', 0), 'cache-control': 'no-store', 'content-length': 0 });
        res.end();
      },
      log,
    ),
    httpRoute(
      'GET',
      '/cruscotto/api/overview',
      async (req, res) => {
        const viewer = await requireViewer(req);
        const filters = parseFilters(new URL(req.url ?? '/', 'http://localhost').searchParams);
        try {
          sendJson(res, 200, await loadOverview(store, clock, viewer.view, filters));
        } catch (err) {
          if (!DomainError.is(err, 'forbidden')) throw err;
          log.warn(
            { personId: viewer.person.id, organisationId: filters.organisationId, ...clientOf(req) },
            'dashboard: organisation outside the scope refused',
          );
          throw new HttpError(403, 'forbidden', 'that organisation is not yours to see');
        }
      },
      log,
    ),
    httpRoute(
      'GET',
      /^\/cruscotto\/api\/chart\/(flow|observers)\.svg$/,
      async (req, res, match) => {
        const viewer = await requireViewer(req);
        const { organisationId } = parseFilters(new URL(req.url ?? '/', 'http://localhost').searchParams);
        const name = match?.[1] as DashboardChart;
        let svg: string;
        try {
          svg = chartSvg(await dashboardChart(store, clock, viewer.actor, localeOf(req, viewer), name, organisationId));
        } catch (err) {
          if (!DomainError.is(err, 'forbidden')) throw err;
          log.warn(
            { personId: viewer.person.id, chart: name, organisationId, ...clientOf(req) },
            'dashboard: chart outside the scope refused',
          );
          throw new HttpError(403, 'forbidden', 'that chart is not yours to see');
        }
        res.writeHead(200, {
          'content-type': 'image/svg+xml; charset=utf-8',
          'content-length': Buffer.byteLength(svg),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          // Opened on its own, the image may run nothing and load nothing.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
        res.end(svg);
      },
      log,
    ),
    httpRoute(
      'GET',
      '/cruscotto/api/events',
      async (req, res) => {
        await requireViewer(req);
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write('retry: 3000\n: connected\n\n');
        open.add(res);
        const off = hub.subscribe(() => res.write('event: change\ndata: {}\n\n'));
        const ping = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
        const end = () => {
          clearInterval(ping);
          off();
          open.delete(res);
        };
        req.on('close', end);
        res.on('close', end);
      },
      log,
    ),
  ];

  return {
    routes,
    streams: () => open.size,
    close() {
      hub.close();
      for (const res of open) res.end();
      open.clear();
    },
  };
}

function parseFilters(q: URLSearchParams): DashboardFilters {
  const org = q.get('org') || undefined;
  const kind = q.get('kind') || undefined;
  const priority = q.get('priority') || undefined;
  if (org !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(org))
    throw new HttpError(400, 'invalid_filter', 'org: an organisation id');
  if (kind !== undefined && !(TICKET_KINDS as readonly string[]).includes(kind))
    throw new HttpError(400, 'invalid_filter', `kind: one of ${TICKET_KINDS.join(', ')}`);
  if (priority !== undefined && !/^[1-5]$/.test(priority)) throw new HttpError(400, 'invalid_filter', 'priority: 1 to 5');
  return {
    ...(org ? { organisationId: org } : {}),
    ...(kind ? { kind: kind as TicketKind } : {}),
    ...(priority ? { priority: Number(priority) as Priority } : {}),
  };
}
