/**
 * The agent's own reader of configuration YAML against the `yaml` package: what it reads gives
 * exactly the package's result; what it does not read it refuses (`Unsupported`), and the
 * configuration loader then reads the file with the package, so every file means what it meant.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from './config.ts';
import { parseYamlLite, Unsupported } from './yaml-lite.ts';

/** The README's example configuration (section "Configuration file"). */
const README_EXAMPLE = `server: https://sportello.example.org   # optional here: \`enroll --server\` stores it
stateDir: /var/lib/sportello-agent      # credentials, log positions, the buffer
interval: 60s                           # a check cycle (and a heartbeat) every minute
grace: 120s                             # "offline" after interval + grace without a report
defaults: { for: 5m, recovery: 5m }     # bad for 5 min to fire, good for 5 min to resolve
spool: { maxBatches: 1000, maxBytes: 5MB }
# serverCa: /etc/ssl/private-ca.pem     # a server behind a private CA

checks:
  - { id: cpu, kind: cpu, warn: 85, crit: 95 }                 # % busy between two cycles
  - { id: carico, kind: load, metric: load5, warn: 2, crit: 4 } # load average per core
  - { id: memoria, kind: memory, warn: 85, crit: 95 }          # % in use (MemAvailable)
  - id: disco-dati
    kind: disk
    path: /srv/dati          # the filesystem holding this path (statfs, like df)
    warn: 80                 # % used
    crit: 90
    critFree: 2GB            # and/or absolute free space
    fullWithinWarn: 48h      # and/or the forecast: least-squares trend of the last
    fullWithinCrit: 12h      #   6 h (forecastWindow) → time until full
  - { id: nginx, kind: process, name: nginx }                     # exact process name
  - { id: gestionale, kind: process, pattern: "java .*gestionale", min: 1, severity: warn }
  - id: log-posta
    kind: log
    path: /var/log/mail.log  # tailed from where it stopped; follows rotation (.1) and truncation
    pattern: "status=bounced|authentication failed"
    window: 10m              # matches counted over a sliding window
    warn: 5
    crit: 50
  - id: sito
    kind: http
    url: https://www.ente.example.org/
    timeout: 10s
    expect: 200-399
    contains: "Benvenuti"    # optional
    tlsWarnDays: 21          # https: the certificate, reported as its own alert
    tlsCritDays: 7
  - { id: backup, kind: file_age, path: /srv/backup, warn: 26h, crit: 48h }  # newest file in the folder
`;

/** Read here, with the package's result. */
const READ = [
  README_EXAMPLE,
  'interval: 1s\nstateDir: /tmp/x\nchecks:\n  - { id: node, kind: process, pattern: "bench/run\\\\.ts" }\n',
  'a: 1\r\nb: two words\r\n',
  '\uFEFFa: 1',
  'a:\n- 1\n- two\n-  "x#y" # comment\n-\n  nested: true\n',
  "list:\n  - id: x\n    k: [1, 2.5, -3, .inf, -.Inf, .nan, 0x1F, 0o17, 007, +1, .5, 1., 1e3, ~, null, true, False, TRUE]\n    s: [\"a\\tb\\u00e8\\x41\\\"\", 'it''s', a b, c#d]\n",
  'a: {b: [c, {d: e}], f: , "g h": \'i\'}',
  'url: http://a:8/b?c#d',
  'time: 12:30\ndate: 2026-01-01\nyes: yes\non: on\nund: 1_000',
  'key with spaces: v w\n"quoted key": 1\n\'single\': 2',
  'a:\n  b:\n    c: 1\n\n  d: 2\ne: []\nf: {}\ng:\n',
  'checks:\n- id: a\n  kind: cpu\n- id: b\n',
  '- a\n- b\n',
  'a: -5\nb: -x\nc: "#not a comment"\nd: x # comment: with colon',
  'flow: {url: "https://a/b", n: -1, list: [a:b, -c]}',
  // A quote inside a plain value is a character: the comment after it still ends the value.
  'contains: Prenota il "turno #2" online\nname: say \'hi # there\'\na: x "y #z" w',
  '- "quoted #1"\n- [\'a #b\', "c"]\n- k: "v #w"',
];

/** Refused here (the package reads them, or errors). */
const REFUSED = [
  'a: &x 1\nb: *x',
  'a: !!str 1',
  'a: |\n  line\n  line',
  'a: >\n  folded',
  '---\na: 1',
  'a: b: c',
  'a: 1\na: 2',
  'a: x\n  continued',
  'a: [1,\n  2]',
  'a: "two\n  lines"',
  'true: 1',
  '1: a',
  'a: {b:1}',
  "a: 'x' y",
  '? complex\n: key',
  '\ta: 1',
  '- url:\thttp://x',
  'a: x:\tb',
  'a: -',
  '<<: {a: 1}',
  '',
  '- - nested',
  '%YAML 1.2\n---\na: 1',
];

describe('configuration YAML read without the yaml package', () => {
  it.each(READ.map((t) => [JSON.stringify(t).slice(0, 50), t]))('%s: as the yaml package reads it', (_name, text) => {
    expect(parseYamlLite(text)).toStrictEqual(parse(text));
  });

  it.each(REFUSED.map((t) => [JSON.stringify(t).slice(0, 50), t]))('%s: refused, left to the package', (_name, text) => {
    expect(() => parseYamlLite(text)).toThrow(Unsupported);
  });

  describe('loadConfig', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'sportello-agent-yaml-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the README example, and a file beyond the subset through the package, to the same configuration', async () => {
      const plain = path.join(dir, 'plain.yml');
      writeFileSync(plain, README_EXAMPLE);
      // The same configuration with an anchor, an alias and a block scalar: only the package reads those.
      const fancy = path.join(dir, 'fancy.yml');
      writeFileSync(
        fancy,
        README_EXAMPLE.replace('defaults: { for: 5m, recovery: 5m }', 'defaults: &d { for: 5m, recovery: 5m }')
          .replace('spool: {', 'other: *d\nspool: {')
          .replace('    pattern: "status=bounced|authentication failed"', '    pattern: >-\n      status=bounced|authentication failed'),
      );
      expect(() => parseYamlLite(readFileSync(fancy, 'utf8'))).toThrow(Unsupported);
      const a = await loadConfig(plain);
      expect(a.checks).toHaveLength(9);
      expect(a.checks.find((c) => c.id === 'log-posta')).toMatchObject({ pattern: 'status=bounced|authentication failed' });
      expect(await loadConfig(fancy)).toEqual(a);
    });

    it('a syntax error is reported as before, by the package', async () => {
      const bad = path.join(dir, 'bad.yml');
      writeFileSync(bad, 'checks:\n  - { id: cpu, kind: cpu\n');
      await expect(loadConfig(bad)).rejects.toMatchObject({ problems: [expect.stringContaining(bad)] });
    });
  });
});
