import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** How an inbound platform event ended. */
export type InboundStatus = 'handled' | 'duplicate' | 'ignored' | 'rejected' | 'error';

/** Count of undelivered outbox entries per platform, read at every scrape. */
export type OutboxPendingSource = () => Promise<Readonly<Record<string, number>>>;

/**
 * The Prometheus metrics of one app instance, in their own registry (several instances can
 * live in one process, as in tests). `render()` gives the text exposition format 0.0.4.
 */
export interface Metrics {
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  /** Counts an inbound event; with `seconds`, also observes how long handling it took. */
  recordInbound(platform: string, status: InboundStatus, seconds?: number): void;
  /** Starts timing an inbound event; call the returned function once with how it ended. */
  startInbound(platform: string): (status: InboundStatus) => void;
  recordDelivered(platform: string): void;
  recordDeliveryFailed(platform: string): void;
  /** Counts a message of unknown fate sent again with no platform check (it may show twice). */
  recordResentBlind(platform: string): void;
  /** Sets (or replaces) where `sportello_outbox_pending` reads from. */
  setOutboxPendingSource(source: OutboxPendingSource): void;
  render(): Promise<string>;
}

/** A fresh registry with Node's default process metrics and the app's own. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const inbound = new Counter({
    name: 'sportello_inbound_events_total',
    help: 'Inbound platform events, by platform and how they ended.',
    labelNames: ['platform', 'status'] as const,
    registers: [registry],
  });
  const handleSeconds = new Histogram({
    name: 'sportello_inbound_handle_seconds',
    help: 'Time to handle one inbound platform event.',
    labelNames: ['platform'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'sportello_outbox_delivered_total',
    help: 'Outbox messages delivered, by platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'sportello_outbox_failed_total',
    help: 'Outbox delivery attempts that failed, by platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const resentBlind = new Counter({
    name: 'sportello_outbox_resent_blind_total',
    help: 'Outbox messages whose earlier attempt may have arrived (its process died mid-send), sent again where the platform cannot tell: they may show twice.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  let pendingSource: OutboxPendingSource | undefined;
  new Gauge({
    name: 'sportello_outbox_pending',
    help: 'Outbox messages waiting for delivery, by platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
    async collect() {
      if (!pendingSource) return;
      // A scrape must still answer while the database is down; the gauge is then left out.
      const counts = await pendingSource().catch(() => undefined);
      this.reset();
      if (counts) for (const [platform, n] of Object.entries(counts)) this.set({ platform }, n);
    },
  });

  const metrics: Metrics = {
    registry,
    contentType: registry.contentType,
    recordInbound(platform, status, seconds) {
      inbound.inc({ platform, status });
      if (seconds !== undefined) handleSeconds.observe({ platform }, seconds);
    },
    startInbound(platform) {
      const start = process.hrtime.bigint();
      return (status) => metrics.recordInbound(platform, status, Number(process.hrtime.bigint() - start) / 1e9);
    },
    recordDelivered: (platform) => delivered.inc({ platform }),
    recordDeliveryFailed: (platform) => failed.inc({ platform }),
    recordResentBlind: (platform) => resentBlind.inc({ platform }),
    setOutboxPendingSource(source) {
      pendingSource = source;
    },
    render: () => registry.metrics(),
  };
  return metrics;
}
