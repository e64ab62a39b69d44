/**
 * A message's chart on Slack, as an uploaded PNG shared into the conversation — the three
 * calls `filesUploadV2` makes (files.getUploadURLExternal, the upload, files.completeUploadExternal),
 * made here one by one because the client is built with `allowAbsoluteUrls: false` (its own
 * upload step would post to the Web API's base URL) and because the outbox, not the client,
 * decides about retries. The file is private until `completeUploadExternal` shares it, so a
 * failure before that leaves nothing visible and the retry starts over; the message text goes
 * with the file as its comment, so text and chart arrive as one message.
 */
import type { webApi } from '@slack/bolt';
import type { MessageImage } from '../../core/kernel/chart.ts';
import type { OutMessage } from '../../core/kernel/message.ts';
import { DeliveryError } from '../../core/kernel/outbox.ts';
import { chartPng, pngFileName } from '../kit/chart-png.ts';
import { deliveryError } from '../kit/delivery-error.ts';
import { escapeMrkdwn } from './block-kit.ts';

const COMMENT_MAX = 3900;
const ALT_MAX = 1000;

/** The message as the file's comment: the title bold, the text, then each field as `*label*: value`; escaped. */
export function fileComment(m: OutMessage): string {
  const lines = [
    m.title ? `*${escapeMrkdwn(m.title)}*` : '',
    escapeMrkdwn(m.text),
    ...(m.fields ?? []).map((f) => `*${escapeMrkdwn(f.label)}*: ${escapeMrkdwn(f.value)}`),
  ].filter((s) => s.trim());
  const all = lines.join('\n');
  // Cut at a line break so no entity (&amp;) is split.
  if (all.length <= COMMENT_MAX) return all;
  const cut = all.lastIndexOf('\n', COMMENT_MAX);
  return `${all.slice(0, cut > 0 ? cut : 0)}\n…`;
}

/**
 * Uploads `image` as a PNG and shares it into `channel` (in the thread `threadTs`), with
 * `comment`. Returns the ts of the message that shows it when Slack says it at once, else null.
 */
export async function shareChart(
  client: webApi.WebClient,
  target: { readonly channel: string; readonly threadTs?: string | undefined },
  image: MessageImage,
  comment: string,
  timeoutMs = 10_000,
): Promise<string | null> {
  const png = await chartPng(image.chart);
  const filename = pngFileName(image.name);
  const url = await client.files.getUploadURLExternal({ filename, length: png.length, alt_text: image.alt.slice(0, ALT_MAX) });
  if (!url.upload_url || !url.file_id) throw new DeliveryError('slack files.getUploadURLExternal gave no upload_url', { permanent: true });
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), filename);
  const res = await fetch(url.upload_url, { method: 'POST', body: form, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    const after = Number(res.headers.get('retry-after'));
    throw deliveryError({
      what: `slack file upload http ${res.status}`,
      status: res.status,
      retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined,
    });
  }
  await res.arrayBuffer();
  const files: [{ id: string; title: string }] = [{ id: url.file_id, title: image.chart.title.slice(0, 250) }];
  const done = await client.files.completeUploadExternal(
    target.threadTs
      ? { files, channel_id: target.channel, thread_ts: target.threadTs, initial_comment: comment }
      : { files, channel_id: target.channel, initial_comment: comment },
  );
  // Shares are often filled in asynchronously: no ts then (a report is never edited later).
  const shares = done.files?.[0]?.shares as Record<string, Record<string, { ts?: string }[]> | undefined> | undefined;
  return shares?.public?.[target.channel]?.[0]?.ts ?? shares?.private?.[target.channel]?.[0]?.ts ?? null;
}
