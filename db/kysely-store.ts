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
 *
 * Each repository is made when first asked for (a transaction uses a few of the ~23) and then
 * kept: getters on the prototype, so a spread (`{ ...repos }`) does not carry them — derive
 * with `Object.create(repos, { name: { value } })` instead, which shares what was made.
 */
export function reposFor(db: Kysely<Database>, tally?: WriteTally, deferred?: DeferredWrites, config?: ConfigView): Repositories {
  return new LazyRepositories({ db, tally, deferred, config, held: deferred ? new HeldDialogs() : undefined }) as unknown as Repositories;
}

/** What a transaction's repositories are made from. */
interface Parts {
  readonly db: Kysely<Database>;
  readonly tally: WriteTally | undefined;
  readonly deferred: DeferredWrites | undefined;
  readonly config: ConfigView | undefined;
  /** The dialogs a transaction locked, shared by the turn's opening statement and `dialogs`. */
  readonly held: HeldDialogs | undefined;
}

const MAKERS: { readonly [K in keyof Repositories]: (p: Parts, repos: Repositories) => Repositories[K] } = {
  tickets: (p) => new TicketRepository(p.db, p.tally, p.config),
  people: (p) => new PeopleRepository(p.db),
  channels: (p) => new ChannelRepository(p.db, p.config),
  dialogs: (p) => new DialogRepository(p.db, p.deferred, p.held),
  deliveries: (p) => new DeliveryRepository(p.db),
  turns: (p) => new TurnRepository(p.db, p.held),
  linkCodes: (p) => new LinkCodeRepository(p.db),
  outbox: (p) => new OutboxRepository(p.db, p.tally, p.deferred),
  sla: (p) => new SlaRepository(p.db, p.tally, p.config),
  monitoring: (p) => monitoringRepository(p.db, p.deferred),
  deliveryContext: (p) => new DeliveryContextRepository(p.db),
  inbox: (p) => new InboxRepository(p.db),
  community: (p) => communityRepository(p.db),
  vendors: (p) => new VendorRepository(p.db),
  certifications: (p) => new CertificationRepository(p.db),
  configurationItems: (p) => new ConfigurationItemRepository(p.db),
  dashboard: (p) => new DashboardRepository(p.db),
  cmdb: (p) => new CmdbRepository(p.db),
  changes: (p) => new ChangeRepository(p.db),
  problems: (p) => new ProblemRepository(p.db),
  problemCandidates: (_, repos) => repos.problems as ProblemRepository, // the same one
  reports: (p) => new ReportRepository(p.db),
  privacy: (p) => new PrivacyRepository(p.db),
};

/**
 * Making all ~23 repositories cost ~90 µs a transaction, which uses a few. The getters fill the
 * base instance's `made` also when reached through an object derived with `Object.create`, so
 * the two never hold two repositories with separate state (say, two outboxes).
 */
class LazyRepositories {
  readonly made: Partial<Record<keyof Repositories, unknown>> = {};
  constructor(readonly parts: Parts) {}
}
for (const name of Object.keys(MAKERS) as (keyof Repositories)[]) {
  const make = MAKERS[name];
  Object.defineProperty(LazyRepositories.prototype, name, {
    get(this: LazyRepositories) {
      return (this.made[name] ??= make(this.parts, this as unknown as Repositories));
    },
  });
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
