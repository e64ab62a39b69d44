import type { CheckKind } from '../core/alerts/model.ts';

/** The checks a simulated agent reports, one of each kind (name, kind, target): alerts and footprint share them. */
export const AGENT_CHECKS: readonly [string, CheckKind, string][] = [
  ['cpu', 'cpu', 'cpu'],
  ['carico', 'load', 'load5'],
  ['memoria', 'memory', 'ram'],
  ['disco-root', 'disk', '/'],
  ['disco-dati', 'disk', '/srv/dati'],
  ['nginx', 'process', 'nginx'],
  ['log-app', 'log', '/var/log/app.log'],
  ['sito', 'http', 'https://www.example.org/'],
  ['sito', 'tls', 'www.example.org:443'],
  ['backup', 'file_age', '/srv/backup'],
];
