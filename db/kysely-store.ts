import type { Kysely } from 'kysely';
import type { Repositories, Store, Written } from '../core/kernel/ports.ts';
import { CertificationRepository } from './certification.repository.ts';
import { ChangeRepository } from './change.repository.ts';
import { ChannelRepository } from './channel.repository.ts';
import { CmdbRepository } from './cmdb.repository.ts';
import { communityRepository } from './community.repository.ts';
import { ConfigCache, ConfigView } from './config-cache.ts';
import { ConfigurationItemRepository } from './configuration-item.repository.ts';
import { DashboardRepository } from './dashboard.repository.ts';
import { DeferredWrites } from './deferred-writes.ts';
import { DeliveryRepository } from './delivery.repository.ts';
import { DeliveryContextRepository } from './delivery-context.repository.ts';
import { DialogRepository, HeldDialogs } from './dialog.repository.ts';
import { InboxRepository } from './inbox.repository.ts';
import { LinkCodeRepository } from './link-code.repository.ts';
import { monitoringRepository } from './monitoring.repository.ts';
import { OutboxRepository } from './outbox.repository.ts';
import { PeopleRepository } from './people.repository.ts';
import { PrivacyRepository } from './privacy.repository.ts';
import { ProblemRepository } from './problem.repository.ts';
import { ReportRepository } from './report.repository.ts';
import type { Database } from './schema.ts';
import { SlaRepository } from './sla.repository.ts';
import { TicketRepository } from './ticket.repository.ts';
import { TurnRepository } from './turn.repository.ts';
import { VendorRepository } from './vendor.repository.ts';
import type { WriteTally } from './write-tally.ts';

/**
 * Every repository bound to `db`, which may be the root instance or a `Transaction`; `tally`
 * counts the writes that wake background work (outbox rows, SLA events); with `deferred` (in a
 * transaction) the outbox rows and dialog states are written together, with the next query;
 * `config` is the store's copy of the configuration tickets read, as this transaction sees it.
 */
export function reposFor(db: Kysely<Database>, tally?: WriteTally, deferred?: DeferredWrites, config?: ConfigView): Repositories {
  const problems = new ProblemRepository(db);
  // The dialogs a transaction locked, shared by the turn's opening statement and `dialogs`.
  const held = deferred ? new HeldDialogs() : undefined;
  return {
    tickets: new TicketRepository(db, tally, config),
    people: new PeopleRepository(db),
    channels: new ChannelRepository(db, config),
    dialogs: new DialogRepository(db, deferred, held),
    deliveries: new DeliveryRepository(db),
    turns: new TurnRepository(db, held),
    linkCodes: new LinkCodeRepository(db),
    outbox: new OutboxRepository(db, tally, deferred),
    sla: new SlaRepository(db, tally, config),
    monitoring: monitoringRepository(db, deferred),
    deliveryContext: new DeliveryContextRepository(db),
    inbox: new InboxRepository(db),
    community: communityRepository(db),
    vendors: new VendorRepository(db),
    certifications: new CertificationRepository(db),
    configurationItems: new ConfigurationItemRepository(db),
    dashboard: new DashboardRepository(db),
    cmdb: new CmdbRepository(db),
    changes: new ChangeRepository(db),
    problems,
    problemCandidates: problems,
    reports: new ReportRepository(db),
    privacy: new PrivacyRepository(db),
  };
}

/**
 * The PostgreSQL `Store`: its repository properties auto-commit each statement; `transaction`
 * hands `work` repositories bound to one transaction (READ COMMITTED), committed when `work`
 * resolves and rolled back when it throws.
 */
export class KyselyStore implements Store {
  readonly tickets: Repositories['tickets'];
  readonly people: Repositories['people'];
  readonly channels: Repositories['channels'];
  readonly dialogs: Repositories['dialogs'];
  readonly deliveries: Repositories['deliveries'];
  readonly turns: Repositories['turns'];
  readonly linkCodes: Repositories['linkCodes'];
  readonly outbox: Repositories['outbox'];
  readonly sla: Repositories['sla'];
  readonly monitoring: Repositories['monitoring'];
  readonly deliveryContext: Repositories['deliveryContext'];
  readonly inbox: Repositories['inbox'];
  readonly community: Repositories['community'];
  readonly vendors: Repositories['vendors'];
  readonly certifications: Repositories['certifications'];
  readonly configurationItems: Repositories['configurationItems'];
  readonly dashboard: Repositories['dashboard'];
  readonly changes: Repositories['changes'];
  readonly problems: Repositories['problems'];
  readonly problemCandidates: Repositories['problemCandidates'];
  readonly cmdb: Repositories['cmdb'];
  readonly reports: Repositories['reports'];
  readonly privacy: Repositories['privacy'];

  /** Copies of the configuration every new ticket reads, checked against the database by each opening. */
  private readonly config = new ConfigCache();

  constructor(private readonly db: Kysely<Database>) {
    const repos = reposFor(db, undefined, undefined, new ConfigView(this.config, false));
    this.tickets = repos.tickets;
    this.people = repos.people;
    this.channels = repos.channels;
    this.dialogs = repos.dialogs;
    this.deliveries = repos.deliveries;
    this.turns = repos.turns;
    this.linkCodes = repos.linkCodes;
    this.outbox = repos.outbox;
    this.sla = repos.sla;
    this.monitoring = repos.monitoring;
    this.deliveryContext = repos.deliveryContext;
    this.inbox = repos.inbox;
    this.community = repos.community;
    this.vendors = repos.vendors;
    this.certifications = repos.certifications;
    this.configurationItems = repos.configurationItems;
    this.dashboard = repos.dashboard;
    this.changes = repos.changes;
    this.problems = repos.problems;
    this.problemCandidates = repos.problemCandidates;
    this.cmdb = repos.cmdb;
    this.reports = repos.reports;
    this.privacy = repos.privacy;
  }

  async transaction<T>(
    work: (repos: Repositories) => Promise<T>,
    opts: { readonly onCommit?: (written: Written) => void } = {},
  ): Promise<T> {
    const tally: WriteTally = { outbox: 0, slaEvents: 0 };
    // The last deferred writes go out with the commit, in one write: when they fail, the commit
    // answers ROLLBACK, and their error is the one to report.
    let written: Promise<void> | undefined;
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx) => {
        const deferred = new DeferredWrites(trx);
        const result = await work(reposFor(deferred.guarded, tally, deferred, new ConfigView(this.config, true)));
        written = (await deferred.submit()).outcome;
        return result;
      });
    } catch (err) {
      await written;
      throw err;
    }
    await written;
    opts.onCommit?.({ ...tally });
    return result;
  }
}
