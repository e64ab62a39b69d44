/**
 * One ticket's life, the same on every platform: the requester opens it through the intake
 * dialog in their DM, every volunteer presses "Prendo io" on its card at once, the winner
 * comments and resolves it by command, and the requester's chat is quiet before their next one.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { ChatDriver, ChatUser } from './chat-driver.ts';
import type { Gate } from './gate.ts';
import { sleep } from './processes.ts';

/** Every title the load gives a ticket starts so (tickets of the SLA batch and of alerts do not). */
export const INTAKE_TITLE = 'Stampante ferma numero';
export const intakeTitle = (n: number, platform: string) => `${INTAKE_TITLE} ${n} ${platform}`;

export interface LoadCounters {
  intakes_confirmed: number;
  claim_presses: number;
  comments: number;
  resolutions: number;
}

export interface LifecycleContext {
  readonly db: Kysely<Database>;
  /** How long one step (an answer, a claim, a resolution) may take before the intake counts as failed. */
  readonly stepMs: number;
  /** Refs already seen, so a confirmation is told from an older message naming another ticket. */
  readonly knownRefs: Set<string>;
  readonly load: Record<string, LoadCounters>;
  /** Called after each step: the faults fire as the load progresses. */
  readonly onStep: () => void;
}

/** Polls `probe` (database errors, as during a PostgreSQL restart, count as "not yet") until it holds. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const REF = /INC-\d{6}/;

export async function lifecycle<M>(ctx: LifecycleContext, d: ChatDriver<M> & { gate?: Gate }, who: ChatUser, n: number): Promise<void> {
  const { db, stepMs } = ctx;
  const load = ctx.load[d.platform]!;
  const guarded = async <T>(step: () => Promise<T>): Promise<T> => {
    const out = await (d.gate ? d.gate.run(step) : step());
    ctx.onStep();
    return out;
  };
  // The next message to the DM after `act`, skipping a copy of `answered` (a blind resend of a row in
  // flight in a killed process shows twice on Telegram: counted as in_flight, not a dialog step).
  const reply = (act: () => Promise<void>, answered?: M, match?: (m: M) => boolean) =>
    guarded(async () => {
      const before = d.dmCount(who);
      await act();
      return d.nextDm(who, before, (m) => !(answered && d.same(m, answered)) && (!match || match(m)), stepMs);
    });
  const say = (text: string, answered?: M, match?: (m: M) => boolean) => reply(() => d.say(who, text), answered, match);
  const press = (m: M, action: string, value?: string, match?: (m: M) => boolean) => reply(() => d.press(who, m, action, value), m, match);

  // The intake, answering only what the shorter intake still asks after the first message.
  const title = intakeTitle(n, d.platform);
  let m = await say(`La stampante numero ${n} non stampa più`);
  for (let asked = 0; asked < 8 && !d.hasButton(m, 'intake.confirm'); asked++) {
    if (d.hasButton(m, 'intake.kind')) m = await press(m, 'intake.kind', 'incident');
    else if (d.hasButton(m, 'intake.impact')) m = await press(m, 'intake.impact', '2');
    else if (d.hasButton(m, 'intake.urgency')) m = await press(m, 'intake.urgency', '1');
    else if (d.hasButton(m, 'intake.keep')) m = await press(m, 'intake.keep');
    else if (d.hasButton(m, 'intake.skip')) m = await press(m, 'intake.skip');
    else m = await say(title, m);
  }
  if (!d.text(m).includes(title) && d.hasButton(m, 'intake.edit')) {
    const prompt = await press(m, 'intake.edit', 'title');
    m = await say(title, prompt, (c) => d.hasButton(c, 'intake.confirm'));
  }
  const newRef = (c: M) => {
    const r = REF.exec(d.text(c))?.[0];
    return r !== undefined && !ctx.knownRefs.has(r);
  };
  m = await press(m, 'intake.confirm', undefined, newRef);
  const ref = REF.exec(d.text(m))?.[0];
  if (!ref) throw new Error(`no ticket created: ${d.text(m).slice(0, 300)}`);
  ctx.knownRefs.add(ref);
  load.intakes_confirmed++;
  const card = await d.card(ref, stepMs);

  // Every volunteer presses "Prendo io" at once.
  let assignee: string | null = null;
  await guarded(async () => {
    await Promise.all(d.volunteers.map((v) => d.press(v, card, 'ticket.claim').then(() => load.claim_presses++)));
    await until(
      `${ref} claimed`,
      async () => {
        const t = await db.selectFrom('tickets').select('assignee_id').where('ref', '=', ref).executeTakeFirst();
        assignee = t?.assignee_id ?? null;
        return assignee !== null;
      },
      stepMs,
    );
  });
  const link = await retrying(() =>
    db
      .selectFrom('identities')
      .select('external_id')
      .where('person_id', '=', assignee!)
      .where('platform', '=', d.platform)
      .executeTakeFirstOrThrow(),
  );
  const owner = d.volunteers.find((v) => v.id === link.external_id);
  if (!owner) throw new Error(`${ref} claimed by someone who is not a ${d.platform} volunteer`);

  const ticketId = (await retrying(() => db.selectFrom('tickets').select('id').where('ref', '=', ref).executeTakeFirstOrThrow())).id;
  const note = `Sto guardando la stampante ${n}`;
  await guarded(async () => {
    await d.say(owner, `commenta ${ref} ${note}`);
    await until(
      `the comment on ${ref}`,
      async () =>
        (await db.selectFrom('ticket_comments').select('id').where('ticket_id', '=', ticketId).where('body', 'like', `%${note}%`).execute())
          .length > 0,
      stepMs,
    );
  });
  load.comments++;
  await guarded(async () => {
    await d.say(owner, `risolvi ${ref} Driver reinstallato sulla stampante ${n}`);
    await until(
      `${ref} resolved`,
      async () => (await db.selectFrom('tickets').select('status').where('ref', '=', ref).executeTakeFirst())?.status === 'resolved',
      stepMs,
    );
  });
  load.resolutions++;
  // The requester's chat is quiet before the next intake, so the dialog reads only its own messages.
  await until(
    `${who.name}'s chat delivered`,
    async () =>
      (
        await db
          .selectFrom('outbox')
          .select('id')
          .where('conversation_key', '=', d.conversationKey(who))
          .where('status', '=', 'pending')
          .execute()
      ).length === 0,
    stepMs,
  );
}

/** A read that may meet a PostgreSQL restart: tried again for a while. */
export async function retrying<T>(read: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(250);
    }
  }
}
