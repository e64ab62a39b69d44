/**
 * The web chat end to end in a real headless Chromium: the whole app (HTTP, engine, outbox,
 * web adapter) on a fresh database with the demo data; a requester opens a ticket by chatting,
 * a volunteer sees the card arrive live in the channel view and claims it, the requester is
 * told — all without reloading a page.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { seedDemo } from '../app/seed-demo.ts';
import { startServices } from '../app/services.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { WAIT_MS } from './wait.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Not a skip: without Chromium the browser test fails, saying how to install it. */
const NO_CHROMIUM = `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install chromium\` (.ci/run does it)`;
let app: App;
let tdb: TestDatabase;
let browser: Browser;
let base: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await startApp(
    { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
    {
      log: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      onReady: async (ctx) => {
        await seedDemo(ctx.store, ctx.clock);
        await startServices(ctx);
      },
    },
  );
  base = `http://127.0.0.1:${app.port}`;
  if (!existsSync(CHROMIUM)) return; // the browser test fails on it; the others run
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

async function openAs(handle: string): Promise<Page> {
  if (!browser) throw new Error(NO_CHROMIUM);
  const page = await (await browser.newContext({ locale: 'it-IT' })).newPage();
  await page.goto(base);
  await page.selectOption('#who', handle);
  await expect.poll(() => page.locator('#whoinfo').textContent()).toContain(handle === 'anna.romano' ? 'Anna Romano' : 'Giulia Rossi');
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

const lastBotMessage = (page: Page) =>
  page
    .locator('.msg')
    .filter({ hasNot: page.locator('.mine') })
    .last();

describe('web chat in a real browser', () => {
  it('open a ticket in the DM view, claim it live in the channel view, the requester is notified', { timeout: 120_000 }, async () => {
    const requester = await openAs('anna.romano');
    const volunteer = await openAs('giulia.rossi');
    await volunteer.getByRole('button', { name: '#volontari' }).click();

    await say(requester, 'La stampante della segreteria non stampa più <b>niente</b> @everyone');
    // The shorter intake read the kind, the device, title and description from the message: it
    // asks only who is affected and how urgent, then shows what it understood.
    await requester.getByRole('button', { name: 'Un gruppo o un servizio' }).last().click();
    await requester.getByRole('button', { name: 'Il lavoro è fermo' }).last().click();
    await expect.poll(() => lastBotMessage(requester).textContent()).toContain('Dal tuo messaggio ho capito');
    // The title is corrected through the summary's "Correggi…" menu.
    await lastBotMessage(requester).locator('select').selectOption('title');
    await expect.poll(() => lastBotMessage(requester).textContent()).toContain('titolo breve');
    await say(requester, 'Stampante segreteria ferma');
    await expect.poll(() => lastBotMessage(requester).textContent()).toContain('Stampante segreteria ferma');
    await requester.getByRole('button', { name: 'Conferma' }).last().click();
    await expect.poll(() => lastBotMessage(requester).textContent()).toMatch(/Il tuo ticket è INC-\d{6}, priorità P2/);
    const ref = /INC-\d{6}/.exec((await lastBotMessage(requester).textContent()) ?? '')![0];

    // The card arrives in the volunteer's open channel view without a reload.
    const card = volunteer.locator('.msg', { has: volunteer.locator('.title', { hasText: ref }) });
    await expect.poll(() => card.count(), { timeout: WAIT_MS }).toBe(1);
    // User text is shown literally: no markup interpreted, no mass mention.
    expect(await card.locator('b').count()).toBe(0);
    expect(await card.textContent()).toContain('<b>niente</b>');
    expect(await card.textContent()).not.toContain('@everyone');

    await card.getByRole('button', { name: 'Prendo io' }).click();
    await expect.poll(() => card.textContent(), { timeout: WAIT_MS }).toContain('In carico aGiulia Rossi');
    expect(await card.getByRole('button', { name: 'Prendo io' }).count()).toBe(0);

    await expect
      .poll(() => requester.locator('.msg').last().textContent(), { timeout: WAIT_MS })
      .toContain(`Giulia Rossi ha preso in carico il tuo ticket ${ref}`);
    await requester.screenshot({ path: 'test-results/web-chat-requester.png' }).catch(() => undefined);
  });

  it("a question asked in the DM view is answered in #community's thread; the asker accepts it and the card says so", async () => {
    const asker = await openAs('anna.romano');
    const volunteer = await openAs('giulia.rossi');
    await volunteer.getByRole('button', { name: '#community' }).click();
    await say(asker, 'domanda Qualcuno usa un gestionale per le donazioni con le ricevute @everyone?');
    await expect.poll(() => lastBotMessage(asker).textContent()).toMatch(/La tua domanda Q-\d{6} è nella community/);
    const q = /Q-\d{6}/.exec((await lastBotMessage(asker).textContent()) ?? '')![0];

    const card = volunteer.locator('.msg', { has: volunteer.locator('.title', { hasText: q }) });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    expect(await card.textContent()).not.toContain('@everyone');
    await card.getByRole('button', { name: 'Rispondi nel thread' }).click();
    await say(volunteer, 'Usiamo CiviCRM: fa anche le ricevute per le detrazioni.');
    const answer = volunteer.locator('.thread .msg', { has: volunteer.locator('.title', { hasText: q }) });
    await expect.poll(() => answer.count(), { timeout: 10_000 }).toBe(1);

    await expect
      .poll(() => lastBotMessage(asker).textContent(), { timeout: 10_000 })
      .toContain(`Giulia Rossi ha risposto alla tua domanda ${q}`);
    await lastBotMessage(asker).getByRole('button', { name: '✅ Accetta' }).click();
    await expect.poll(() => lastBotMessage(asker).textContent(), { timeout: 10_000 }).toMatch(/Risposta A-\d{6} accettata/);
    await expect.poll(() => answer.textContent(), { timeout: 10_000 }).toContain('✅ accettata');
    await volunteer.screenshot({ path: 'test-results/web-chat-community.png' }).catch(() => undefined);
  });

  it("a requester cannot open the volunteers channel or act as someone else's conversation", async () => {
    const res = await fetch(`${base}/web/history?as=anna.romano&conversation=volontari`);
    expect(res.status).toBe(403);
    // Volunteers work the queue but do not read the committee's deliberations.
    expect((await fetch(`${base}/web/history?as=giulia.rossi&conversation=volontari`)).status).toBe(200);
    expect((await fetch(`${base}/web/history?as=giulia.rossi&conversation=comitato`)).status).toBe(403);
    const send = await fetch(`${base}/web/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: 'anna.romano', conversation: 'dm:giulia.rossi', text: 'ciao' }),
    });
    expect(send.status).toBe(403);
    const bad = await fetch(`${base}/web/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
  });

  it('input a browser can send is answered 400 or cleaned, never 500, and a resend shows once', async () => {
    const send = (body: Record<string, unknown>) =>
      fetch(`${base}/web/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const history = async () =>
      (await (await fetch(`${base}/web/history?as=anna.romano&conversation=dm:anna.romano`)).json()) as {
        id: string;
        message: { text: string };
      }[];
    const before = (await history()).length;

    const nulId = await send({ as: 'anna.romano', conversation: 'dm:anna.romano', text: 'ciao', clientId: 'a\u0000b' });
    expect(nulId.status).toBe(400);
    expect(await nulId.text()).toContain('clientId');
    const badThread = await send({ as: 'anna.romano', conversation: 'dm:anna.romano', text: 'ciao', threadOf: 'not-a-uuid' });
    expect(badThread.status).toBe(400);
    expect(await badThread.text()).toContain('threadOf');
    // Refused sends stored nothing.
    expect((await history()).length).toBe(before);

    // A NUL and half an emoji are stored (replaced), and handled like any message.
    const odd = await send({ as: 'anna.romano', conversation: 'dm:anna.romano', text: 'aiuto\u0000 \ud83d', clientId: 'odd-1' });
    expect(odd.status).toBe(202);
    const stored = (await history()).filter((m) => m.message.text.startsWith('aiuto'));
    expect(stored.at(-1)?.message.text).toBe('aiuto\ufffd \ufffd');

    // The same clientId sent three times: one message in the history.
    for (let i = 0; i < 3; i++)
      expect((await send({ as: 'anna.romano', conversation: 'dm:anna.romano', text: 'stato', clientId: 'resend-1' })).status).toBe(202);
    expect((await history()).filter((m) => m.message.text === 'stato')).toHaveLength(1);
  });
});
