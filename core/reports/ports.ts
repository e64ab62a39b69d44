import type { FlowReport, ObserverReport, Period, ReportScope } from './model.ts';

/** The reports' queries; each one reads the records of the period, nothing kept aside. */
export interface ReportRepository {
  /** The committee's flow report; `now` bounds what is "still unclaimed". */
  flowReport(period: Period, scope: ReportScope): Promise<FlowReport>;
  observerReport(period: Period, scope: ReportScope): Promise<ObserverReport>;
  /** Records whether an organisation agrees to be named in the observers' reports. */
  setNamedInReports(organisationId: string, named: boolean): Promise<void>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly reports: ReportRepository;
  }
}
