/**
 * The few asynchronous file operations the checks use, on node:fs's callbacks rather than
 * node:fs/promises: node loads `fs` at start-up anyway, while `fs/promises` brings ten more
 * internal modules (FileHandle, directories, watchers, readline) that the agent never uses
 * otherwise: about 0.5 MB of resident memory.
 */
import { close, open, read, readdir, readFile, type Stats, type StatsFs, stat, statfs } from 'node:fs';

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;

function promise<T>(start: (done: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

export const statAsync = (path: string): Promise<Stats> => promise((done) => stat(path, done));

export const statfsAsync = (path: string): Promise<StatsFs> => promise((done) => statfs(path, done));

export const readdirAsync = (path: string): Promise<string[]> => promise((done) => readdir(path, done));

export const readTextFile = (path: string): Promise<string> => promise((done) => readFile(path, 'utf8', done));

/** Reads into `buf` from `position` of the open file `fd`; resolves with the number of bytes read. */
export type ReadAt = (buf: Buffer, position: number) => Promise<number>;

/** Calls `use` with a reader of `path`, open for reading until the promise `use` returned settles. */
export async function withOpenFile<T>(path: string, use: (readAt: ReadAt) => Promise<T>): Promise<T> {
  const fd = await promise<number>((done) => open(path, 'r', done));
  try {
    return await use((buf, position) => promise((done) => read(fd, buf, 0, buf.length, position, done)));
  } finally {
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
