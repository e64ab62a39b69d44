/**
 * What the outbox knows about attempts whose outcome nobody saw: a process that leased a row and
 * died (or stalled past its lease) mid-send may or may not have reached the platform. The next
 * lease counts such an attempt in `unknown_fate_attempts`, so the sender can check the platform
 * before posting again; `blind_resend` marks a row delivered again where the platform offers no
 * way to check (Telegram): it may show twice, and the reliability figures count it as `in_flight`.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('unknown_fate_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blind_resend', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('unknown_fate_attempts').dropColumn('blind_resend').execute();
}
