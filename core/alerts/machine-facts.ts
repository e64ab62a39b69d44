/**
 * The facts of a machine that matter to people (its name on the network, the system, the CPU,
 * the memory and the disks' sizes), as short comparable text: a report that changes one of them
 * is recorded in the configuration item's history; uptime and disk usage change all the time
 * and are not facts of the machine.
 */
import type { WireFacts } from './protocol.ts';

export const MATERIAL_FACTS = ['hostname', 'os', 'cpu', 'memory', 'disks'] as const;
export type MaterialFact = (typeof MATERIAL_FACTS)[number];

const GB = 1024 ** 3;

/** `15.5 GB`, one decimal below 100 GB. */
export function formatBytes(bytes: number): string {
  const gb = bytes / GB;
  return `${gb >= 100 ? Math.round(gb) : Math.round(gb * 10) / 10} GB`;
}

/** The material facts as text (a fact the report lacks is absent). */
export function materialFacts(facts: Partial<WireFacts> | null | undefined): Partial<Record<MaterialFact, string>> {
  if (!facts || typeof facts !== 'object') return {};
  const out: Partial<Record<MaterialFact, string>> = {};
  if (typeof facts.hostname === 'string') out.hostname = facts.hostname;
  const os = facts.os;
  if (os && typeof os === 'object') out.os = [os.distro || os.platform, os.release, os.arch].filter(Boolean).join(' ');
  const cpu = facts.cpu;
  if (cpu && typeof cpu === 'object') out.cpu = `${cpu.model} × ${cpu.cores}`;
  if (typeof facts.memoryBytes === 'number') out.memory = formatBytes(facts.memoryBytes);
  if (Array.isArray(facts.disks))
    out.disks = [...facts.disks]
      .sort((a, b) => a.mount.localeCompare(b.mount))
      .map((d) => `${d.mount} ${formatBytes(d.sizeBytes)}`)
      .join(', ');
  return out;
}

/** The material facts that differ between two reports: `[fact, before, after]`. */
export function changedFacts(
  before: Partial<WireFacts> | null | undefined,
  after: Partial<WireFacts> | null | undefined,
): [MaterialFact, string | null, string | null][] {
  const a = materialFacts(before);
  const b = materialFacts(after);
  return MATERIAL_FACTS.filter((f) => (a[f] ?? null) !== (b[f] ?? null)).map((f) => [f, a[f] ?? null, b[f] ?? null]);
}
