import type { Kysely } from 'kysely';
import type { Platform } from '../core/kernel/person.ts';
import type { DeliveryRepository as DeliveryRepositoryPort } from '../core/kernel/ports.ts';
import type { Database } from './schema.ts';

/** Inbound delivery ids already handled, so platform redeliveries have no effect. */
export class DeliveryRepository implements DeliveryRepositoryPort {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * One `INSERT … ON CONFLICT DO NOTHING`: true only for the first caller. Inside a transaction
   * a concurrent duplicate waits for the first to commit or roll back, so a rolled-back
   * delivery can be handled again.
   */
  async markSeen(platform: Platform, deliveryId: string, at: Date): Promise<boolean> {
    const row = await this.db
      .insertInto('inbound_deliveries')
      .values({ platform, delivery_id: deliveryId, seen_at: at })
      .onConflict((oc) => oc.columns(['platform', 'delivery_id']).doNothing())
      .returning('delivery_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async forgetBefore(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('inbound_deliveries').where('seen_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
