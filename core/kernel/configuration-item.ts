/**
 * The configuration item (CMDB entry) every feature may point at: a ticket names the machine or
 * service it is about, an alert the machine it came from, a change the items it touches.
 */

export const CI_KINDS = ['computer', 'server', 'network_device', 'printer', 'application', 'site', 'licence'] as const;
export type CiKind = (typeof CI_KINDS)[number];

export const CI_STATUSES = ['active', 'maintenance', 'retired'] as const;
export type CiStatus = (typeof CI_STATUSES)[number];

/** A CMDB entry; agents keep theirs (kind `computer`) current with the facts they report. */
export interface ConfigurationItem {
  readonly id: string;
  /** Human id, shown as CI-000042. */
  readonly number: number;
  readonly organisationId: string;
  readonly kind: CiKind;
  readonly name: string;
  readonly status: CiStatus;
  /** What the agent last reported (hostname, OS, memory, disks…), as JSON. */
  readonly facts: Readonly<Record<string, unknown>> | null;
  readonly notes: string | null;
  /** When a licence or subscription must be renewed (a calendar date, `YYYY-MM-DD`). */
  readonly renewalOn: string | null;
  readonly agentId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const ConfigurationItemRef = {
  format(n: number): string {
    return `CI-${String(n).padStart(6, '0')}`;
  },
  parse(text: string): number | undefined {
    const m = /^\s*CI[\s-]*0*(\d{1,9})\s*$/i.exec(text);
    return m?.[1] ? Number(m[1]) : undefined;
  },
};

/** `CI-000007 · pc-segreteria`, as cards and lists show an item. */
export function ciLabel(item: Pick<ConfigurationItem, 'number' | 'name'>): string {
  return `${ConfigurationItemRef.format(item.number)} · ${item.name}`;
}

/** Reading configuration items, for every feature that shows one (a ticket's card, an alert). */
export interface ConfigurationItemReader {
  find(id: string): Promise<ConfigurationItem | undefined>;
}

declare module './ports.ts' {
  interface Repositories {
    readonly configurationItems: ConfigurationItemReader;
  }
}
