import type { CheckConfig } from '../config.ts';
import type { Check } from './check.ts';
import { DiskCheck } from './disk.ts';
import { FileAgeCheck } from './file-age.ts';
import { HttpCheck } from './http.ts';
import { LogCheck } from './log.ts';
import { ProcessCheck } from './process.ts';
import { CpuCheck, LoadCheck, MemoryCheck } from './system.ts';

export type { Check, CheckContext, CheckOutput, LogPosition } from './check.ts';

export function createCheck(c: CheckConfig): Check {
  switch (c.kind) {
    case 'cpu':
      return new CpuCheck(c);
    case 'load':
      return new LoadCheck(c);
    case 'memory':
      return new MemoryCheck(c);
    case 'disk':
      return new DiskCheck(c);
    case 'process':
      return new ProcessCheck(c);
    case 'log':
      return new LogCheck(c);
    case 'http':
      return new HttpCheck(c);
    case 'file_age':
      return new FileAgeCheck(c);
  }
}
