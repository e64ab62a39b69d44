/**
 * The agent's client of the server: its own small HTTP/1.1 request (./http1.ts; no node:http, no
 * fetch, no library: a smaller process), JSON in and out, every report signed with the agent's
 * secret (see core/alerts/protocol.ts).
 */
import { randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { AGENT_HEADERS, signRequest } from '../core/alerts/protocol.ts';
import { request } from './http1.ts';
import { trustingAlso } from './tls-trust.ts';

/** The server's answers are small JSON documents: more than this is not read into memory. */
const ANSWER_LIMIT = 1024 * 1024;

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
    return request(url, {
      method: 'POST',
      headers,
      body,
      timeoutMs: this.timeoutMs,
      timeoutError: () => new Error(`no answer from ${this.server} within ${this.timeoutMs} ms`),
      ...(this.secureContext ? { secureContext: this.secureContext } : {}),
      bodyLimit: ANSWER_LIMIT,
    }).then((res) => {
      const text = res.body.toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      // Repeated headers come joined with ", ": the first Retry-After counts, as node:http kept it.
      const retry = Number(res.headers.get('retry-after')?.split(',')[0]);
      return { status: res.status, body: parsed, retryAfterSeconds: Number.isFinite(retry) ? retry : null };
    });
  }
}
