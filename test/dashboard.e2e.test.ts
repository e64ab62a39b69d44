/**
 * The dashboard end to end in a real headless Chromium: the whole app (HTTP, engine, outbox, web
 * chat, the dashboard and its LISTEN/NOTIFY feed) on a fresh database with the demo data. A
 * volunteer asks `cruscotto` in the web chat, opens the link, sees the overview; an agent's
 * report fires an alert and the open page shows it without reloading; logout closes the data; a
 * reused and an expired link are refused; an ICT lead sees only their organisation, an
 * observer only aggregates; the page fits a phone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { seedDemo } from '../app/seed-demo.ts';
import { type Services, startServices } from '../app/services.ts';
import { createEnrolmentCode, enrolAgent } from '../core/alerts/enrolment.ts';
import { ingestReport } from '../core/alerts/ingest.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { createPerson } from '../core/people/register.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until, WAIT_MS } from './wait.ts';

const CHROMIUM = '/usr/bin/chromium';
const NO_CHROMIUM = `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install chromium\` (.ci/run does it)`;
let app: App;
let services: Services;
let tdb: TestDatabase;
let browser: Browser;
let base: string;
let girasole: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await startApp(
    { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
    {
      log: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      onReady: async (ctx) => {
        await seedDemo(ctx.store, ctx.clock);
        services = await startServices(ctx);
      },
    },
  );
  base = `http://127.0.0.1:${app.port}`;
  girasole = (await app.store.people.findOrganisationByFiscalCode('97000000001'))!.id;
  // An observer (a funder) with a web chat identity.
  await app.store.transaction(async (repos) => {
    const p = await createPerson(
      repos,
      { now: () => new Date() },
      {
        displayName: 'Olga Fondazione',
        handle: 'olga.fondazione',
        locale: 'it',
      },
    );
    await repos.people.linkIdentity({ platform: 'web', externalId: 'olga.fondazione', personId: p.id, lastSeenAt: new Date() });
    await repos.people.grantRole({
      personId: p.id,
      role: 'observer',
      organisationId: null,
      grantedBy: null,
      grantedAt: new Date(),
      reason: 'test',
    });
  });
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await tdb?.drop();
});

async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
  if (!browser) throw new Error(NO_CHROMIUM);
  return (await browser.newContext({ locale: 'it-IT', ...(viewport ? { viewport } : {}) })).newPage();
}

const LINK = /https?:\/\/\S+\/cruscotto\/entra\?t=[\w-]+/;

/** Asks `cruscotto` through the engine as a web chat user; the link from the DM the bot wrote. */
async function askLink(handle: string): Promise<string> {
  const messages = new WebMessageRepository(app.db);
  const seen = (await messages.list(`dm:${handle}`, 200)).length;
  await services.engine.handle({
    platform: 'web',
    deliveryId: randomUUID(),
    conversation: { id: handle, kind: 'dm' },
    sender: { externalId: handle },
    text: 'cruscotto',
  });
  return until(`the link in ${handle}'s DM`, async () => {
    const fresh = (await messages.list(`dm:${handle}`, 200)).slice(seen);
    return fresh.map((m) => LINK.exec(m.message.text ?? '')?.[0]).find(Boolean);
  });
}

/** Opens a login link as the person would (the page posts it) and waits for the overview. */
async function enter(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForURL(/\/cruscotto$/);
  await page.locator('#tile-alerts .n').waitFor();
}

/** A request with the page's cookies, to a path of the page's own origin. */
const api = (page: Page, path: string) => page.request.get(new URL(path, page.url()).href);

const tile = (page: Page, id: string) => page.locator(`#tile-${id} .n`).textContent();

/** Fires a warning alert on a Girasole machine through the ingest use case (as the agent's report does). */
async function fireAlert(target: string): Promise<void> {
  const clock = { now: () => new Date() };
  await app.store.transaction(async (repos) => {
    const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
    const { code } = await createEnrolmentCode(ctx, { organisationId: girasole });
    const { agent } = await enrolAgent(
      { repos, clock, defaultLocale: 'it' },
      { code, hostname: `pc-${target.slice(1)}`, agentVersion: 'test' },
    );
    const now = clock.now().toISOString();
    const outcome = await ingestReport({ repos, clock, defaultLocale: 'it' }, agent.id, randomBytes(16).toString('hex'), {
      agentVersion: 'test',
      heartbeat: { periodSeconds: 60, graceSeconds: 120 },
      batches: [
        {
          id: randomUUID(),
          createdAt: now,
          results: [
            {
              check: 'disco',
              kind: 'disk',
              target,
              status: 'warn',
              value: 91,
              unit: '%',
              message: 'disco quasi pieno',
              observedAt: now,
              forSeconds: 0,
              recoverySeconds: 300,
            },
          ],
        },
      ],
    });
    expect(outcome.kind).toBe('stored');
  });
}

describe('the dashboard in a real browser', () => {
  it('sign in from the web chat, see the overview, an alert appears live, sign out; the link does not work twice', {
    timeout: 60_000,
  }, async () => {
    const page = await newPage();
    // Ask in the web chat, as a volunteer does.
    await page.goto(base);
    await page.selectOption('#who', 'giulia.rossi');
    await expect.poll(() => page.locator('#whoinfo').textContent()).toContain('Giulia Rossi');
    await page.fill('#text', 'cruscotto');
    await page.press('#text', 'Enter');
    const reply = page.locator('.msg', { hasText: '/cruscotto/entra?t=' }).last();
    await reply.waitFor({ timeout: WAIT_MS });
    const link = LINK.exec((await reply.textContent()) ?? '')![0];

    await enter(page, link);
    await expect.poll(() => page.locator('#who').textContent()).toContain('Accesso come Giulia Rossi');
    const before = Number(await tile(page, 'alerts'));
    const openTickets = Number(await tile(page, 'tickets'));
    expect(openTickets).toBeGreaterThan(0);
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    await fireAlert('/dati-segreteria');
    await expect.poll(() => tile(page, 'alerts'), { timeout: WAIT_MS }).toBe(String(before + 1));
    await expect.poll(() => page.locator('#alerts').textContent()).toContain('/dati-segreteria');
    expect(await page.locator('#alerts').textContent()).toContain('Associazione Il Girasole ODV');
    // No reload happened: the same document updated itself.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // Filters: only service requests.
    await page.selectOption('#f-kind', 'service_request');
    await expect.poll(async () => Number(await tile(page, 'tickets'))).toBeLessThan(openTickets);

    await page.screenshot({ path: 'test-results/dashboard-volunteer.png' }).catch(() => undefined);
    await page.locator('#logout').click();
    await page.waitForURL(/\/cruscotto$/);
    await expect.poll(() => page.locator('#notice').textContent()).toContain('scrivi «cruscotto» al bot');
    expect((await api(page, '/cruscotto/api/overview')).status()).toBe(401);
    expect((await api(page, '/cruscotto/api/events')).status()).toBe(401);

    // The same link again: refused.
    await page.goto(link);
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Questo link è già stato usato');
  });

  it('an expired link is refused', async () => {
    const giulia = await app.store.people.findPersonByHandle('giulia.rossi');
    const past = new Date(Date.now() - 1);
    const token = await app.store.dashboard.createLink(giulia!.id, new Date(past.getTime() - 600_000), past);
    const page = await newPage();
    await page.goto(`${base}/cruscotto/entra?t=${token}`);
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Questo link è scaduto');
    expect((await page.request.get(`${base}/cruscotto/api/overview`)).status()).toBe(401);
  });

  it('an ICT lead sees only their organisation; another is refused', async () => {
    const page = await newPage();
    await enter(page, await askLink('luca.ferrari'));
    await expect.poll(() => page.locator('#f-org option').allTextContents()).toEqual(['Tutte', 'Associazione Il Girasole ODV']);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain('La Rondine');
    expect(text).not.toContain('Banco Alimentare');
    const rondine = (await app.store.people.findOrganisationByFiscalCode('97000000002'))!.id;
    expect((await api(page, `/cruscotto/api/overview?org=${rondine}`)).status()).toBe(403);
    expect((await api(page, `/cruscotto/api/overview?org=${girasole}`)).status()).toBe(200);
  });

  it('an observer sees aggregates only, on a phone screen', async () => {
    const page = await newPage({ width: 375, height: 740 });
    await enter(page, await askLink('olga.fondazione'));
    await expect.poll(() => page.locator('#scope').textContent()).toBe('Solo dati aggregati (osservatore)');
    await expect.poll(async () => Number(await tile(page, 'tickets'))).toBeGreaterThan(0);
    expect(await page.locator('#f-org-label').isVisible()).toBe(false);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const name of ['Girasole', 'Rondine', 'Banco', 'INC-', 'REQ-', 'pc-dati']) expect(text).not.toContain(name);
    // One column on a phone, nothing wider than the screen.
    const layout = await page.evaluate(() => ({
      columns: getComputedStyle(document.querySelector('main') as Element).gridTemplateColumns.split(' ').length,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    }));
    expect(layout).toEqual({ columns: 1, overflow: 0 });
    await page.screenshot({ path: 'test-results/dashboard-observer-phone.png', fullPage: true }).catch(() => undefined);
  });
});
