/**
 * The reports' charts: drawn as SVG (escaped, legible figures), rasterised to PNG, attached to
 * the report messages as data (small in the outbox), and delivered as images by each platform's
 * real sender against its fake — Slack (getUploadURLExternal, upload, completeUploadExternal),
 * Telegram (sendPhoto, multipart), Discord (a message with an attachment, multipart) — with
 * retries that do not post twice; the web chat shows it as an <img>.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordSender } from '../bots/discord/discord-adapter.ts';
import { chartPng, PNG_SCALE } from '../bots/kit/chart-png.ts';
import { createSlackSender } from '../bots/slack/slack-sender.ts';
import { createTelegramSender } from '../bots/telegram/telegram-sender.ts';
import { forBrowser } from '../bots/web/web-routes.ts';
import type { ChartSpec } from '../core/kernel/chart.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartSvg } from '../core/kernel/chart-svg.ts';
import type { OutMessage } from '../core/kernel/message.ts';
import { DeliveryError } from '../core/kernel/outbox.ts';
import type { WebMessage } from '../core/kernel/web-chat-store.ts';
import type { FlowReport, ObserverReport } from '../core/reports/model.ts';
import { flowReportMessage, observerReportMessage } from '../core/reports/report-text.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { DiscordFake } from './fakes/discord-fake.ts';
import { dmChannelOf, SlackFake } from './fakes/slack-fake.ts';
import { TelegramFake } from './fakes/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const period = { from: new Date('2026-11-29T23:00:00Z'), to: new Date('2026-12-06T23:00:00Z') };
const flow: FlowReport = {
  period,
  opened: { incident: 14, service_request: 9, change: 2 },
  closed: { incident: 11, service_request: 7, change: 0 },
  response: { concluded: 20, breached: 3, metPct: 85 },
  resolution: { concluded: 18, breached: 6, metPct: 66.7 },
  unclaimedOverTarget: Array.from({ length: 12 }, (_, i) => ({
    ref: `INC-${String(i + 1).padStart(6, '0')}`,
    priority: 2,
    openedAt: period.from,
  })),
  breaches: Array.from({ length: 12 }, (_, i) => ({
    ref: `INC-${String(i + 100).padStart(6, '0')}`,
    target: 'resolution' as const,
    tier: 'volunteer' as const,
    priority: 3,
    cause: 'volunteer_work' as const,
    at: period.from,
  })),
  certificationsExpiring: [],
  complaintsOpen: [],
  vendorsOnTime: [],
};
const observers: ObserverReport = {
  period,
  servedByTier: { volunteer: 42, vendor: 7 },
  organisationsServed: 5,
  namedOrganisations: [],
  response: { count: 40, p50Hours: 2.5, p90Hours: 11 },
  resolution: { count: 30, p50Hours: 20.3, p90Hours: null },
  satisfaction: { ratings: 0, average: null },
  deflection: { offers: 0, solved: 0, pct: null },
  volunteerHours: { hours: 0, ticketsWithTime: 0, ticketsWithoutTime: 0 },
  vendorEngagements: { count: 0, valueCents: 0 },
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
const CHAT_SIZE = { width: CHART_WIDTH * PNG_SCALE, height: CHART_HEIGHT * PNG_SCALE };

const delivery = (platform: 'slack' | 'telegram' | 'discord', conversationId: string, message: OutMessage, extra = {}) => ({
  id: randomUUID(),
  address: { platform, kind: 'channel' as const, conversationId },
  message,
  ...extra,
});

let tdb: TestDatabase;
let store: KyselyStore;
const log = { info() {}, warn() {}, error() {}, debug() {} };

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});
afterAll(async () => {
  await tdb?.drop();
});

describe('drawing the charts', () => {
  it('the flow report carries its chart as data: both panels, the figures, an alt text; small in the outbox', () => {
    const m = flowReportMessage('it', flow);
    expect(m.image?.name).toBe('report-flow-2026-11-30');
    const chart = m.image?.chart as ChartSpec;
    expect(chart.panels.map((p) => p.title)).toEqual(['Ticket per tipo', 'Nei tempi (%)']);
    expect(chart.panels[0]?.series).toEqual([
      { name: 'Aperti', values: [14, 9, 2] },
      { name: 'Risolti o chiusi', values: [11, 7, 0] },
    ]);
    expect(chart.panels[1]).toMatchObject({ max: 100, unit: '%', series: [{ values: [85, 66.7] }] });
    expect(m.image?.alt).toContain('aperti 14 guasti, 9 richieste, 2 modifiche');
    expect(m.image?.alt).toContain('soluzione nei tempi 66,7%');
    expect(JSON.stringify(m.image).length).toBeLessThan(1500);

    const o = observerReportMessage('en', observers);
    expect(o.image?.chart.panels[0]).toMatchObject({
      kind: 'stacked',
      series: [
        { name: 'Volunteers', values: [42] },
        { name: 'Vendors', values: [7] },
      ],
    });
    expect(o.image?.chart.panels[1]?.series[1]).toEqual({ name: '90%', values: [11, null] });
    expect(o.image?.alt).toContain('42 requests served by volunteers and 7 by vendors');
  });

  it('the SVG writes every figure, in the reader’s number format, and escapes every label', () => {
    const svg = chartSvg(flowReportMessage('it', flow, 'Croce <Verde> & "Co"').image!.chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400"')).toBe(true);
    for (const label of ['>14<', '>11<', '>9<', '>7<', '>2<', '>85%<', '>66,7%<', '>Guasti<', '>Prima risposta<'])
      expect(svg).toContain(label);
    expect(svg).toContain('Croce &lt;Verde&gt; &amp; &quot;Co&quot;');
    expect(svg).not.toContain('<Verde>');

    const hostile: ChartSpec = {
      title: '</text><script>alert(1)</script>',
      panels: [{ kind: 'bars', title: 'a"b', categories: ["<img src=x onerror='1'>"], series: [{ name: 'x', values: [Number.NaN] }] }],
    };
    const bad = chartSvg(hostile);
    expect(bad).not.toMatch(/<script|<img|onerror='/);
    expect(bad).toContain('&lt;/text&gt;&lt;script&gt;');
    expect(bad).toContain('>—<'); // no figure, not NaN
    expect(bad).not.toContain('NaN');
  });

  it('the PNG is a real image of chat size', async () => {
    const png = await chartPng(observerReportMessage('it', observers).image!.chart);
    expect(pngSize(png)).toEqual(CHAT_SIZE);
    expect(png.length).toBeGreaterThan(10_000); // text and bars drawn, not an empty canvas
  });
});

describe('Slack', () => {
  let fake: SlackFake;
  beforeAll(async () => {
    fake = await SlackFake.start();
  });
  afterAll(async () => fake?.close());

  it('the report arrives as one message: the chart uploaded and shared into the channel with the text as comment', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    const sent = await sender.send(delivery('slack', 'C_COM', flowReportMessage('it', flow)));
    const [file] = fake.shared.filter((f) => f.channel === 'C_COM');
    expect(file).toBeDefined();
    expect(sent.messageId).toBe(file?.ts);
    expect(pngSize(file!.bytes)).toEqual(CHAT_SIZE);
    expect(file).toMatchObject({ filename: 'report-flow-2026-11-30.png', title: 'Flusso del lavoro' });
    expect(file?.altText).toContain('aperti 14 guasti');
    expect(file?.comment).toContain('*Report del flusso · 30 novembre 2026 – 6 dicembre 2026*');
    expect(file?.comment).toContain('*Aperti*: 14 guasti, 9 richieste, 2 modifiche');
    expect(fake.posts('C_COM')).toHaveLength(0);
  });

  it('an upload that fails is retried by the outbox without a second message; a 429 carries its wait', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    const d = delivery('slack', 'C_RETRY', observerReportMessage('it', observers));
    fake.failNext('upload', [{ status: 500 }]);
    const first = await sender.send(d).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DeliveryError);
    expect((first as DeliveryError).options.permanent).toBeUndefined();
    fake.failNext('files.completeUploadExternal', [{ status: 429, headers: { 'retry-after': '3' } }]);
    const second = await sender.send(d).catch((e: unknown) => e);
    expect((second as DeliveryError).options.retryAfterMs).toBe(3000);
    expect(fake.shared.filter((f) => f.channel === 'C_RETRY')).toHaveLength(0);
    await sender.send(d);
    expect(fake.shared.filter((f) => f.channel === 'C_RETRY')).toHaveLength(1);
  });

  it('a private answer in a channel: the text ephemeral, the chart in the person’s DM', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    await sender.send({ ...delivery('slack', 'C_GEN', flowReportMessage('it', flow)), ephemeralTo: 'U_ANNA' });
    expect(fake.ok('chat.postEphemeral', (a) => a.channel === 'C_GEN' && a.user === 'U_ANNA')).toHaveLength(1);
    expect(fake.shared.filter((f) => f.channel === dmChannelOf('U_ANNA'))).toHaveLength(1);
    expect(fake.shared.filter((f) => f.channel === 'C_GEN')).toHaveLength(0);
  });
});

describe('Telegram', () => {
  let fake: TelegramFake;
  beforeAll(async () => {
    fake = await TelegramFake.start();
  });
  afterAll(async () => fake?.close());
  const sender = () => createTelegramSender({ token: fake.token, apiRoot: fake.apiRoot }, { store, log });

  it('a long report: the text, then the chart as a photo with its alt text; a failed photo is resent alone', async () => {
    const chat = '-100201';
    const s = sender();
    const d = delivery('telegram', chat, flowReportMessage('it', flow));
    fake.failNext('sendPhoto', { error_code: 429, description: 'Too Many Requests: retry after 2', parameters: { retry_after: 2 } });
    const failed = await s.send(d).catch((e: unknown) => e);
    expect((failed as DeliveryError).options.retryAfterMs).toBe(2000);
    expect(fake.sentTo(chat)).toHaveLength(1);
    const sent = await s.send(d);
    expect(fake.sentTo(chat)).toHaveLength(1);
    const photos = fake.photosTo(chat);
    expect(photos).toHaveLength(1);
    expect(sent.messageId).toBe(String((fake.sentTo(chat)[0]?.result as { message_id: number }).message_id));
    const photo = photos[0]!.payload.photo as { filename: string; bytes: Buffer };
    expect(photo.filename).toBe('report-flow-2026-11-30.png');
    expect(pngSize(photo.bytes)).toEqual(CHAT_SIZE);
    expect(String(photos[0]!.payload.caption)).toContain('Grafico: aperti 14 guasti');
  });

  it('a report that fits a caption is one photo with the text as caption', async () => {
    const chat = '-100202';
    const short: OutMessage = { ...observerReportMessage('it', observers), text: '', fields: [] };
    const sent = await sender().send(delivery('telegram', chat, short));
    expect(fake.sentTo(chat)).toHaveLength(0);
    const [photo] = fake.photosTo(chat);
    expect(String(photo?.payload.caption)).toContain('<b>Report per osservatori e finanziatori');
    expect(photo?.payload.parse_mode).toBe('HTML');
    expect(sent.messageId).toBe(String((photo?.result as { message_id: number }).message_id));
  });
});

describe('Discord', () => {
  let fake: DiscordFake;
  beforeAll(async () => {
    fake = await DiscordFake.start();
  });
  afterAll(async () => fake?.close());

  it('the report is one message whose embed shows the attached PNG; a response lost after the fact does not post twice', async () => {
    const channel = fake.textChannel('comitato');
    const sender = createDiscordSender({ botToken: 'discord-test-token', apiUrl: fake.apiUrl, applicationId: '1' }, { store, log });
    const d = delivery('discord', channel, flowReportMessage('en', flow));
    fake.fail({ method: 'POST', path: new RegExp(`^/channels/${channel}/messages$`), status: 500, afterEffect: true });
    await expect(sender.send(d)).rejects.toBeInstanceOf(DeliveryError);
    const sent = await sender.send(d);
    const posted = fake.posted(channel);
    expect(posted).toHaveLength(1);
    const msg = posted[0]!;
    expect(sent.messageId).toBe(msg.id);
    expect(msg.embeds[0]?.title).toContain('Flow report');
    expect(msg.embeds[0]?.image).toEqual({ url: 'attachment://report-flow-2026-11-30.png' });
    expect(msg.attachments).toMatchObject([{ filename: 'report-flow-2026-11-30.png', content_type: 'image/png' }]);
    expect(String(msg.attachments[0].description)).toContain('Chart: opened 14 incidents');
    const file = (msg.files as { field: string; bytes: Buffer }[])[0]!;
    expect(file.field).toBe('files[0]');
    expect(pngSize(file.bytes)).toEqual(CHAT_SIZE);
  });
});

describe('web chat', () => {
  it('a message with a chart reaches the page with the SVG as a data URL; the page shows it as an <img> with its alt', () => {
    const message = flowReportMessage('it', flow, 'Croce <Verde>');
    const stored: WebMessage = {
      id: randomUUID(),
      seq: 1,
      conversation: 'comitato',
      threadOf: null,
      author: 'bot',
      ephemeralTo: null,
      message,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    const out = forBrowser(stored) as WebMessage & { imageSrc: string };
    expect(out.imageSrc.startsWith('data:image/svg+xml;charset=utf-8,%3Csvg')).toBe(true);
    const svg = decodeURIComponent(out.imageSrc.slice(out.imageSrc.indexOf(',') + 1));
    expect(svg).toContain('Croce &lt;Verde&gt;');
    expect(forBrowser({ ...stored, message: { text: 'ciao' } })).not.toHaveProperty('imageSrc');
  });
});
