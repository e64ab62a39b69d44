/**
 * Chat messages expected vs delivered, per platform. Each delivered outbox row names the message
 * it posted (or edited): a row naming a message the fake never created is lost, and so is a row
 * never delivered. A message the fake created that no row names is a duplicate: on Slack and
 * Discord such a copy still carries its row (metadata, nonce), so it is a duplicate outright;
 * elsewhere (Telegram, ephemeral answers, which keep no id) the unnamed messages of each chat are
 * matched by count against that chat's rows without an id. Rows resent blind after an attempt of
 * unknown fate (`blind_resend`, where the platform offers no way to check) are `in_flight`, not
 * duplicates.
 */
import type { Kysely } from 'kysely';
import type { Platform } from '../../core/kernel/person.ts';
import type { Database } from '../../db/schema.ts';

/** A message the fake created. */
export interface Created {
  readonly id: string;
  /** The chat it went to, as the outbox row names it (`ephemeral_to`, else the conversation). */
  readonly chat: string;
  /** Whether it carries its outbox row (Slack metadata, Discord nonce). */
  readonly keyed: boolean;
}

export interface MessageFigures {
  readonly outbox_rows: number;
  readonly delivered_rows: number;
  readonly created: number;
  readonly rejected_calls: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly in_flight: number;
}

export async function countMessages(
  db: Kysely<Database>,
  platform: Platform,
  created: readonly Created[],
  rejectedCalls: number,
  inFlight: number,
  report: (line: string) => void,
): Promise<MessageFigures> {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'status', 'address', 'ephemeral_to', 'platform_message_id', 'last_error', 'conversation_key'])
    .where('platform', '=', platform)
    .execute();
  const ids = new Set(created.map((c) => c.id));
  const named = new Set<string>();
  const unnamedRows = new Map<string, number>();
  let undelivered = 0;
  let namedMissing = 0;
  for (const r of rows) {
    if (r.status !== 'delivered') {
      undelivered++;
      if (undelivered <= 5)
        report(`${platform}: undelivered ${JSON.stringify({ status: r.status, conv: r.conversation_key, err: r.last_error })}`);
      continue;
    }
    if (r.platform_message_id) {
      named.add(r.platform_message_id);
      if (!ids.has(r.platform_message_id)) namedMissing++;
    } else {
      const chat = r.ephemeral_to ?? String((r.address as { conversationId: string }).conversationId);
      unnamedRows.set(chat, (unnamedRows.get(chat) ?? 0) + 1);
    }
  }
  let extra = 0;
  const unnamedCreated = new Map<string, number>();
  for (const c of created) {
    if (named.has(c.id)) continue;
    if (c.keyed) extra++;
    else unnamedCreated.set(c.chat, (unnamedCreated.get(c.chat) ?? 0) + 1);
  }
  let missing = namedMissing;
  for (const chat of new Set([...unnamedRows.keys(), ...unnamedCreated.keys()])) {
    const d = (unnamedCreated.get(chat) ?? 0) - (unnamedRows.get(chat) ?? 0);
    if (d > 0) report(`${platform} chat ${chat}: ${d} message(s) no outbox row accounts for`);
    else if (d < 0) report(`${platform} chat ${chat}: ${-d} row(s) without id never reached the fake`);
    if (d > 0) extra += d;
    else missing -= d;
  }
  return {
    outbox_rows: rows.length,
    delivered_rows: rows.length - undelivered,
    created: created.length,
    rejected_calls: rejectedCalls,
    lost: undelivered + missing,
    duplicated: Math.max(0, extra - inFlight),
    in_flight: inFlight,
  };
}
