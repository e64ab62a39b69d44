import { linuxPlatform } from './linux.ts';
import type { Platform } from './platform.ts';

export type { Platform } from './platform.ts';

/** The implementation for the running OS; Linux only for now. */
export function currentPlatform(): Platform {
  if (process.platform === 'linux') return linuxPlatform;
  throw new Error(`sportello-agent: ${process.platform} is not supported yet (Linux only)`);
}
