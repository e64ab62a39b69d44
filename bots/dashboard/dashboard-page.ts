/**
 * The dashboard's pages: self-contained documents, no build step. Labels are rendered by the
 * server in the reader's language (escaped); the data arrives as JSON and is written with
 * textContent only, never as HTML, so nothing from the database can inject markup. Scripts run
 * under a per-response nonce (no other script may run).
 */

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element (no `</script>`, no `<!--`). */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #1d2430; background: #f3f5f8; }
  header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 12px 20px; background: #1f3a5f; color: #fff; }
  header h1 { font-size: 20px; margin: 0; flex: 1 1 auto; }
  header .who { font-size: 13px; opacity: .9; }
  header form { margin: 0; }
  header button { padding: 6px 14px; border: 0; border-radius: 6px; background: #fff; color: #1f3a5f; cursor: pointer; font-size: 14px; }
  .bar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; padding: 12px 20px; background: #fff; border-bottom: 1px solid #dde3ea; }
  .bar label { display: flex; flex-direction: column; font-size: 12px; color: #5b6675; }
  .bar select { padding: 6px; border: 1px solid #c5cfdb; border-radius: 6px; font-size: 14px; min-width: 140px; }
  .bar .status { margin-left: auto; font-size: 12px; color: #5b6675; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; padding: 16px 20px 0; }
  .tile { background: #fff; border: 1px solid #dde3ea; border-radius: 10px; padding: 10px 14px; }
  .tile .n { font-size: 28px; font-weight: 700; }
  .tile .l { font-size: 13px; color: #5b6675; }
  .tile.bad .n { color: #c62828; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px 32px; }
  section { background: #fff; border: 1px solid #dde3ea; border-radius: 10px; padding: 12px 16px; min-width: 0; }
  section h2 { font-size: 16px; margin: 0 0 8px; }
  img.chart { display: block; width: 100%; max-width: 800px; height: auto; }
  .sum { font-size: 14px; color: #5b6675; margin-bottom: 6px; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; }
  th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid #eef1f5; vertical-align: top; }
  th { font-size: 12px; color: #5b6675; font-weight: 600; }
  td.num, th.num { text-align: right; }
  .none { color: #5b6675; font-style: italic; }
  .sev-crit, .sla-breached { color: #c62828; font-weight: 600; }
  .sev-warn, .sla-at_risk { color: #b45309; font-weight: 600; }
  .notice { max-width: 560px; margin: 12vh auto; background: #fff; border: 1px solid #dde3ea; border-radius: 12px; padding: 24px; }
  .notice h1 { font-size: 22px; margin: 0 0 12px; }
  .notice button { padding: 10px 18px; border: 0; border-radius: 8px; background: #1f6feb; color: #fff; font-size: 15px; cursor: pointer; }
  @media (max-width: 600px) {
    main { grid-template-columns: 1fr; padding: 12px; }
    .tiles { grid-template-columns: repeat(2, 1fr); padding: 12px 12px 0; }
    .bar { padding: 10px 12px; }
    .bar label, .bar select { width: 100%; }
    .bar .status { margin-left: 0; }
    header { padding: 10px 12px; }
    .notice { margin: 24px 12px; }
  }
`;

function shell(lang: string, title: string, body: string, nonce?: string, script?: string): string {
  return `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
${script && nonce ? `<script nonce="${esc(nonce)}">${script}</script>` : ''}
</body>
</html>`;
}

/** A short page with a title and one message (how to sign in, a refused link, not allowed). */
export function noticePage(lang: string, title: string, text: string): string {
  return shell(lang, title, `<div class="notice"><h1>${esc(title)}</h1><p id="notice">${esc(text)}</p></div>`);
}

/**
 * The page a login link opens: it does not use the link itself (a chat's link preview fetches
 * it with GET and must not burn it); its form posts the token, at once with JavaScript, on a
 * click without.
 */
export function enterPage(lang: string, labels: { title: string; enter: string; entering: string }, token: string, nonce: string): string {
  const body = `<div class="notice"><h1>${esc(labels.title)}</h1>
<form id="enter" method="post" action="/cruscotto/entra">
<input type="hidden" name="t" value="${esc(token)}">
<p id="entering" hidden>${esc(labels.entering)}</p>
<button type="submit">${esc(labels.enter)}</button>
</form></div>`;
  const script = `document.getElementById('entering').hidden = false; document.getElementById('enter').submit();`;
  return shell(lang, labels.title, body, nonce, script);
}

export interface DashboardPageData {
  readonly lang: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly name: string;
  /** all | organisations | aggregate */
  readonly view: string;
  readonly nonce: string;
}

/** The dashboard itself: labels and the viewer rendered here, the figures fetched live. */
export function dashboardPage(d: DashboardPageData): string {
  const L = (k: string) => esc(d.labels[k] ?? k);
  const scopeKey = d.view === 'aggregate' ? 'scope_aggregate' : d.view === 'organisations' ? 'scope_organisations' : 'scope_all';
  const section = (id: string, key: string) =>
    `<section id="${id}"><h2>${L(`dashboard.section.${key}`)}</h2><div class="sum"></div><div class="body"></div></section>`;
  const body = `<header>
  <h1>${L('dashboard.page.title')}</h1>
  <span class="who" id="who">${esc((d.labels['dashboard.page.logged_as'] ?? '').replace('{name}', d.name))} · <span id="scope">${L(`dashboard.page.${scopeKey}`)}</span></span>
  <form method="post" action="/cruscotto/esci"><button type="submit" id="logout">${L('dashboard.page.logout')}</button></form>
</header>
<div class="bar">
  <label id="f-org-label">${L('dashboard.filter.organisation')}<select id="f-org"><option value="">${L('dashboard.filter.any')}</option></select></label>
  <label>${L('dashboard.filter.kind')}<select id="f-kind"><option value="">${L('dashboard.filter.any')}</option></select></label>
  <label>${L('dashboard.filter.priority')}<select id="f-priority"><option value="">${L('dashboard.filter.any')}</option></select></label>
  <span class="status" id="status"></span>
</div>
<div class="tiles" id="tiles"></div>
<main>
<section id="chart"><h2>${L(d.view === 'aggregate' ? 'dashboard.section.chart_month' : 'dashboard.section.chart_week')}</h2><img id="chart-img" class="chart" alt="" hidden></section>
${section('alerts', 'alerts')}
${section('agents', 'agents')}
${section('tickets', 'tickets')}
${section('queue', 'queue')}
${section('engagements', 'engagements')}
${section('decisions', 'decisions')}
</main>
<script type="application/json" id="labels">${scriptJson(d.labels)}</script>`;
  return shell(d.lang, d.labels['dashboard.page.title'] ?? 'Sportello', body, d.nonce, pageScript(d.lang, d.view));
}

function pageScript(lang: string, view: string): string {
  return `(() => {
const L = JSON.parse(document.getElementById('labels').textContent);
const lang = ${scriptJson(lang)};
const view = ${scriptJson(view)};
const t = (k) => L[k] ?? k;
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; };
const time = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });
const when = (iso) => iso ? time.format(new Date(iso)) : t('dashboard.never');
const age = (iso) => {
  const min = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
  if (min < 120) return t('dashboard.minutes').replace('{n}', min);
  if (min < 48 * 60) return t('dashboard.hours').replace('{n}', Math.floor(min / 60));
  return t('dashboard.days').replace('{n}', Math.floor(min / 1440));
};
const kinds = ['incident', 'service_request', 'change'];
for (const k of kinds) { const o = el('option', t('kind.' + k)); o.value = k; $('f-kind').append(o); }
for (const p of [1, 2, 3, 4, 5]) { const o = el('option', 'P' + p); o.value = String(p); $('f-priority').append(o); }
if (view === 'aggregate') $('f-org-label').hidden = true;

function table(headers, rows) {
  if (!rows.length) return el('p', t('dashboard.page.none'), 'none');
  const wrap = el('div', null, 'scroll');
  const tb = el('table');
  const tr = el('tr');
  for (const h of headers) tr.append(el('th', t(h[0]), h[1] ? 'num' : ''));
  tb.append(tr);
  for (const r of rows) {
    const row = el('tr');
    r.forEach((c, i) => {
      const td = el('td', Array.isArray(c) ? c[0] : c, headers[i][1] ? 'num' : (Array.isArray(c) ? c[1] : ''));
      row.append(td);
    });
    tb.append(row);
  }
  wrap.append(tb);
  return wrap;
}
function fill(id, sum, ...parts) {
  const s = $(id);
  s.querySelector('.sum').textContent = sum;
  s.querySelector('.body').replaceChildren(...parts);
}
function tile(id, n, label, bad) {
  const d = el('div', null, 'tile' + (bad && n > 0 ? ' bad' : ''));
  d.id = 'tile-' + id;
  d.append(el('div', n, 'n'), el('div', label, 'l'));
  return d;
}

function render(o) {
  const orgSel = $('f-org');
  if (view !== 'aggregate' && orgSel.options.length === 1) {
    for (const org of o.organisations) { const op = el('option', org.name); op.value = org.id; orgSel.append(op); }
  }
  $('tiles').replaceChildren(
    tile('alerts', o.alerts.open, t('dashboard.section.alerts'), true),
    tile('agents', o.agents.offline, t('dashboard.section.agents'), true),
    tile('tickets', o.tickets.open, t('dashboard.section.tickets')),
    tile('breached', o.tickets.breached, t('dashboard.col.breached'), true),
    tile('queue', o.queue.count, t('dashboard.section.queue')),
    tile('engagements', o.engagements.live, t('dashboard.section.engagements')),
  );
  const sev = o.alerts.bySeverity;
  fill('alerts', t('alert.severity.crit') + ': ' + sev.crit + ' · ' + t('alert.severity.warn') + ': ' + sev.warn,
    ...(view === 'aggregate' ? [] : [
      table([['dashboard.col.organisation'], ['alert.severity.crit', 1], ['alert.severity.warn', 1]],
        o.alerts.byOrganisation.map((r) => [r.organisationName, r.crit, r.warn])),
      table([['dashboard.col.ref'], ['dashboard.col.organisation'], ['dashboard.col.severity'], ['dashboard.col.kind'], ['dashboard.col.target'], ['dashboard.col.when']],
        o.alerts.latest.map((a) => [a.ref, a.organisationName, [t('alert.severity.' + a.severity), 'sev-' + a.severity], t('alert.kind.' + a.kind), a.target, age(a.openedAt)])),
    ]));
  fill('agents', o.agents.offline + ' ' + t('dashboard.agents_of').replace('{total}', o.agents.total),
    ...(view === 'aggregate' ? [] : [table([['dashboard.col.machine'], ['dashboard.col.organisation'], ['dashboard.col.last_seen']],
      o.agents.offlineList.map((a) => [a.name, a.organisationName, when(a.lastSeenAt)]))]));
  fill('tickets', t('dashboard.col.open') + ': ' + o.tickets.open + ' · ' + t('dashboard.col.at_risk') + ': ' + o.tickets.atRisk + ' · ' + t('dashboard.col.breached') + ': ' + o.tickets.breached,
    table([['dashboard.col.priority'], ['dashboard.col.open', 1], ['dashboard.col.at_risk', 1], ['dashboard.col.breached', 1]],
      o.tickets.byPriority.map((p) => ['P' + p.priority, p.open, p.atRisk, p.breached])),
    ...(view === 'aggregate' ? [] : [table([['dashboard.col.ref'], ['dashboard.col.title'], ['dashboard.col.organisation'], ['dashboard.col.priority'], ['dashboard.col.sla']],
      o.tickets.urgent.map((x) => [x.ref, x.title, x.organisationName, 'P' + x.priority, [t('dashboard.sla.' + x.sla), 'sla-' + x.sla]]))]));
  fill('queue', o.queue.count + (o.queue.oldestSince ? ' · ' + t('dashboard.col.waiting') + ' ' + age(o.queue.oldestSince) : ''),
    ...(view === 'aggregate' ? [] : [table([['dashboard.col.ref'], ['dashboard.col.title'], ['dashboard.col.organisation'], ['dashboard.col.priority'], ['dashboard.col.waiting']],
      o.queue.items.map((x) => [x.ref, x.title, x.organisationName, 'P' + x.priority, age(x.since)]))]));
  fill('engagements', t('dashboard.col.total') + ': ' + o.engagements.live,
    table([['dashboard.col.status'], ['dashboard.col.count', 1]], o.engagements.byStatus.map((s) => [t('dashboard.engagement.' + s.status), s.count])),
    ...(view === 'aggregate' ? [] : [table([['dashboard.col.ref'], ['dashboard.col.organisation'], ['dashboard.col.status'], ['dashboard.col.vendor'], ['dashboard.col.when']],
      o.engagements.items.map((e) => [e.ticketRef, e.organisationName, t('dashboard.engagement.' + e.status), e.vendorName ?? '—', age(e.since)]))]));
  fill('decisions', t('dashboard.col.total') + ': ' + o.decisions.count,
    table([['dashboard.col.decision'], ['dashboard.col.count', 1]], o.decisions.byDecision.map((d) => [t('decision.' + d.decision), d.count])),
    ...(o.decisions.recent.length ? [table([['dashboard.col.decision'], ['dashboard.col.subject'], ['dashboard.col.when']],
      o.decisions.recent.map((d) => [t('decision.' + d.decision), d.subjectLabel, when(d.decidedAt)]))] : []));
  showChart();
  generated = o.generatedAt;
  showStatus();
  document.body.dataset.generated = o.generatedAt;
}
// The report's chart, drawn by the server as SVG: at most once a minute, or when the organisation filter changes.
function showChart() {
  const img = $('chart-img');
  const q = new URLSearchParams();
  if (view !== 'aggregate' && $('f-org').value) q.set('org', $('f-org').value);
  q.set('v', String(Math.floor(Date.now() / 60000)));
  const src = '/cruscotto/api/chart/' + (view === 'aggregate' ? 'observers' : 'flow') + '.svg?' + q;
  if (img.getAttribute('src') === src) return;
  img.onload = () => { img.hidden = false; };
  img.onerror = () => { img.hidden = true; };
  img.alt = t(view === 'aggregate' ? 'dashboard.section.chart_month' : 'dashboard.section.chart_week');
  img.src = src;
}
function showStatus() {
  if (generated) $('status').textContent = t('dashboard.page.updated') + ' ' + clock.format(new Date(generated)) + (live ? ' · ' + t('dashboard.page.live') : '');
}

let generated = null;
let live = false;
let busy = false;
let again = false;
let ended = false;
async function refresh() {
  if (ended) return;
  if (busy) { again = true; return; }
  busy = true;
  try {
    const q = new URLSearchParams();
    for (const [id, name] of [['f-org', 'org'], ['f-kind', 'kind'], ['f-priority', 'priority']]) if ($(id).value) q.set(name, $(id).value);
    const r = await fetch('/cruscotto/api/overview?' + q, { credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401 || r.status === 403) {
      ended = true;
      events?.close();
      $('status').textContent = t('dashboard.page.session_ended');
      return;
    }
    if (!r.ok) throw new Error(String(r.status));
    render(await r.json());
  } catch {
    $('status').textContent = t('dashboard.page.load_failed');
  } finally {
    busy = false;
    if (again) { again = false; void refresh(); }
  }
}
let events = null;
if (window.EventSource) {
  events = new EventSource('/cruscotto/api/events');
  events.addEventListener('open', () => { live = true; showStatus(); });
  events.addEventListener('change', () => void refresh());
  events.addEventListener('error', () => { live = false; if (!ended) $('status').textContent = t('dashboard.page.reconnecting'); });
}
for (const id of ['f-org', 'f-kind', 'f-priority']) $(id).addEventListener('change', () => void refresh());
setInterval(() => void refresh(), 30000);
void refresh();
})();`;
}
