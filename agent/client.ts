/**
 * The agent's HTTP client: plain node:http/https (no fetch, no library: a smaller process),
 * JSON in and out, every report signed with the agent's secret (see core/alerts/protocol.ts).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { AGENT_HEADERS, signRequest } from '../core/alerts/protocol.ts';
import { trustingAlso } from './tls-trust.ts';

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterSeconds: number | null;
}

export class AgentClient {
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(
    private readonly server: string,
    opts: { readonly caFile?: string | null; readonly timeoutMs?: number } = {},
    private readonly timeoutMs = opts.timeoutMs ?? 15_000,
  ) {
    // Built once (the system CAs plus the configured one): building it per request costs tens of ms.
    this.secureContext = opts.caFile ? trustingAlso(opts.caFile) : undefined;
  }

  /** POSTs JSON; signed with `auth` when given. Network failures reject; HTTP errors resolve. */
  post(path: string, payload: unknown, auth?: { readonly agentId: string; readonly secret: string }): Promise<HttpAnswer> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'sportello-agent',
    };
    if (auth) {
      const timestamp = String(Date.now());
      const nonce = randomBytes(16).toString('hex');
      headers[AGENT_HEADERS.agent] = auth.agentId;
      headers[AGENT_HEADERS.timestamp] = timestamp;
      headers[AGENT_HEADERS.nonce] = nonce;
      headers[AGENT_HEADERS.signature] = signRequest(auth.secret, timestamp, nonce, body);
    }
    const url = new URL(path, `${this.server}/`);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          headers,
          timeout: this.timeoutMs,
          agent: false,
          ...(this.secureContext && url.protocol === 'https:' ? { secureContext: this.secureContext } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text
            }
            const retry = Number(res.headers['retry-after']);
            resolve({ status: res.statusCode ?? 0, body: parsed, retryAfterSeconds: Number.isFinite(retry) ? retry : null });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.server} within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
