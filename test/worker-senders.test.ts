/**
 * `sportello worker` loads a platform's SDK only when that platform is configured: discord.js
 * alone is tens of megabytes a worker delivering only to Telegram would carry for nothing.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sendersFor(...platforms: string[]): Promise<{ senders: string[]; loaded: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'delivery-senders-loaded.ts'), ...platforms],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
}

describe('the worker’s delivery senders', { timeout: 120_000 }, () => {
  it('load no platform SDK when none is configured, and only the configured one’s otherwise', async () => {
    const [none, telegram] = await Promise.all([sendersFor(), sendersFor('telegram')]);
    expect(none).toEqual({ senders: [], loaded: [] });
    expect(telegram).toEqual({ senders: ['telegram'], loaded: ['telegram'] });
  });
});
