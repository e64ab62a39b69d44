/** The machine's facts for its configuration item: name, OS, CPU, memory, disks. */
import os from 'node:os';
import type { WireDisk, WireFacts } from '../core/alerts/protocol.ts';
import { diskUsage } from './checks/disk.ts';
import type { Platform } from './platform/platform.ts';

const MAX_DISKS = 32;

export async function collectFacts(platform: Platform): Promise<WireFacts> {
  const [distro, mounts] = await Promise.all([platform.distro(), platform.mounts().catch(() => [])]);
  const disks: WireDisk[] = [];
  for (const m of mounts.slice(0, MAX_DISKS)) {
    try {
      const u = await diskUsage(m.mount);
      if (u.sizeBytes > 0) disks.push({ mount: m.mount.slice(0, 300), sizeBytes: u.sizeBytes, usedBytes: u.usedBytes });
    } catch {
      // Not readable by the agent's user: left out.
    }
  }
  const cpus = os.cpus();
  return {
    hostname: os.hostname().slice(0, 100) || 'unknown',
    os: {
      platform: os.platform(),
      release: os.release().slice(0, 100),
      ...(distro ? { distro: distro.slice(0, 100) } : {}),
      arch: os.arch(),
    },
    cpu: { model: (cpus[0]?.model ?? 'unknown').trim().slice(0, 200), cores: Math.max(1, cpus.length) },
    memoryBytes: os.totalmem(),
    disks,
    uptimeSeconds: Math.round(os.uptime()),
  };
}
