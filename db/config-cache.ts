import type { ChannelBinding } from '../core/kernel/ports.ts';
import type { SlaPolicyRow, SlaSettings } from '../core/sla/sla-policy.ts';

/**
 * This process's copies of the configuration every new ticket reads — SLA policies and
 * settings, the channel bindings of a purpose — each with the `config_version` it was read at
 * (migration 0022: a statement that writes one of those tables gives the version a new random
 * number, not one a restore could rewind, so a version always means the same contents). A copy is never trusted on
 * its own: the statement that opens a ticket checks that the version it planned with is still
 * the current one, and writes nothing when it is not (`tickets.open` then throws
 * `StaleConfiguration` and the caller reads again). A change made by another process is thus
 * seen by the next ticket opened here. One per store, shared by its transactions.
 */
export class ConfigCache {
  sla: CachedSla | undefined;
  readonly bindings = new Map<string, { readonly version: string; readonly rows: readonly ChannelBinding[] }>();
  /**
   * Organisations' names as ticket openings found them, for cards rendered before the opening
   * (which checks the name it was given: see `TicketRepository.cardCopies`).
   */
  readonly organisationNames = new Map<string, string>();

  /** Forgets the SLA copy (a ticket's opening found it stale). */
  dropSla(version: string): void {
    if (this.sla?.version === version) this.sla = undefined;
  }
}

export interface CachedSla {
  readonly version: string;
  readonly policies: readonly SlaPolicyRow[];
  readonly settings: SlaSettings | undefined;
}

/**
 * What one transaction (or the auto-committing store) knows of the configuration: the version a
 * statement of this transaction found current (a ticket's opening checks it), so that copies
 * read at that version are what that statement would have read. Forgotten when the transaction
 * writes configuration; never kept outside a transaction (each statement there stands alone).
 */
export class ConfigView {
  private confirmedVersion: string | undefined;
  private wroteConfig = false;

  constructor(
    readonly cache: ConfigCache,
    private readonly inTransaction: boolean,
  ) {}

  get confirmed(): string | undefined {
    return this.confirmedVersion;
  }

  confirm(version: string): void {
    if (this.inTransaction) this.confirmedVersion = version;
  }

  /**
   * This transaction wrote configuration: what it confirmed no longer holds, and what it reads
   * is not kept for others (it may never commit; a version it read would not, either).
   */
  wrote(): void {
    if (!this.inTransaction) return; // its statement committed on its own
    this.confirmedVersion = undefined;
    this.wroteConfig = true;
  }

  get wroteConfiguration(): boolean {
    return this.wroteConfig;
  }
}
