import { describe, expect, it } from 'vitest';
import { poolSizesFor } from './database-runtime.ts';

describe('poolSizesFor', () => {
  it('sizes the pools on the embedded PostgreSQL to the cores it shares with the app', () => {
    expect(poolSizesFor(true, 2)).toEqual({ main: 5, jobs: 3 });
    expect(poolSizesFor(true, 8)).toEqual({ main: 17, jobs: 9 });
    // One core still leaves BullMQ a connection for queries beside its LISTEN.
    expect(poolSizesFor(true, 1)).toEqual({ main: 3, jobs: 2 });
  });

  it('keeps the usual sizes for a database server of its own', () => {
    expect(poolSizesFor(false, 2)).toEqual({ main: 10, jobs: 20 });
  });
});
