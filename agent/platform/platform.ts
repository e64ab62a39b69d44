/**
 * What the checks need from the operating system. Only the Linux implementation exists
 * (`linux.ts`, reading /proc); a Windows or macOS one would implement the same interface.
 * Everything portable (statfs, os.hostname, TLS, HTTP, files) is used directly by the checks.
 */
export interface CpuTimes {
  /** Idle time (idle + iowait), in clock ticks since boot. */
  readonly idle: number;
  readonly total: number;
}

export interface MemoryInfo {
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly swapTotalBytes: number;
  readonly swapFreeBytes: number;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
  /** Read only when asked (`withCmdline`): it costs a file read per process. */
  readonly cmdline: string | null;
}

export interface MountInfo {
  readonly mount: string;
  readonly fsType: string;
}

export interface Platform {
  readonly name: string;
  cpuTimes(): Promise<CpuTimes>;
  loadAverage(): Promise<readonly [number, number, number]>;
  memory(): Promise<MemoryInfo>;
  processes(withCmdline: boolean): Promise<ProcessInfo[]>;
  /** Mounted local filesystems worth reporting (no pseudo filesystems). */
  mounts(): Promise<MountInfo[]>;
  /** A human name of the distribution or OS version, when known. */
  distro(): Promise<string | undefined>;
}
