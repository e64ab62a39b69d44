/**
 * An HTTP(S) endpoint: it answers in time with an expected status (and, optionally, a text in
 * the first 64 KiB of the body). For https, a second result reports the certificate: days until
 * it expires (and whether it is trusted), so "the site is down" and "the certificate expires on
 * Friday" are two different alerts.
 */
import tls from 'node:tls';
import type { CheckConfig } from '../config.ts';
import { request } from '../http1.ts';
import { trustingAlso } from '../tls-trust.ts';
import { below, type Check, type CheckOutput, errorText, round } from './check.ts';

const BODY_LIMIT = 64 * 1024;

interface Probe {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
}

export class HttpCheck implements Check {
  /** Built once: a context with the system CAs plus the configured one (building it costs tens of ms). */
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(readonly config: Extract<CheckConfig, { kind: 'http' }>) {
    this.secureContext = config.ca ? trustingAlso(config.ca) : undefined;
  }

  async run(): Promise<CheckOutput[]> {
    const c = this.config;
    const url = new URL(c.url);
    const peer: { cert?: Peer } = {};
    const out: CheckOutput[] = [await this.probeHttp(url, peer)];
    // The certificate as the request's own handshake saw it; a second connection only when that
    // handshake failed (an untrusted certificate is then read without verifying, to say why).
    if (url.protocol === 'https:') out.push(peer.cert ? this.judgeCertificate(url, peer.cert) : await this.probeCertificate(url));
    return out;
  }

  private tlsOptions(): { secureContext?: tls.SecureContext; rejectUnauthorized: boolean } {
    // An extra CA is added to the system ones, not used instead of them.
    return { ...(this.secureContext ? { secureContext: this.secureContext } : {}), rejectUnauthorized: !this.config.insecure };
  }

  private probeHttp(url: URL, peer: { cert?: Peer }): Promise<CheckOutput> {
    const c = this.config;
    const started = process.hrtime.bigint();
    return request(url, {
      method: 'GET',
      headers: { 'user-agent': 'sportello-agent' },
      timeoutMs: c.timeoutMs,
      timeoutError: () => Object.assign(new Error(`no answer within ${c.timeoutMs} ms`), { code: 'TIMEOUT' }),
      ...(url.protocol === 'https:' ? this.tlsOptions() : {}),
      bodyLimit: BODY_LIMIT,
      onSecure: (socket) => {
        peer.cert = peerOf(socket);
      },
    })
      .then((res): Probe => ({ status: res.status, ms: Number(process.hrtime.bigint() - started) / 1e6, body: res.body.toString('utf8') }))
      .then(
        (p): CheckOutput => {
          const ms = Math.round(p.ms);
          const statusOk = p.status >= c.expect[0] && p.status <= c.expect[1];
          const textOk = c.contains === null || p.body.includes(c.contains);
          const ok = statusOk && textOk;
          const why = !statusOk
            ? `HTTP ${p.status}, expected ${c.expect[0]}-${c.expect[1]}`
            : !textOk
              ? `HTTP ${p.status} without "${c.contains}"`
              : `HTTP ${p.status}`;
          return {
            target: c.url,
            status: ok ? 'ok' : 'crit',
            value: ms,
            unit: 'ms',
            message: `${why} in ${ms} ms`,
            evidence: { details: { status: p.status } },
          };
        },
        (err: unknown): CheckOutput => ({
          target: c.url,
          status: 'crit',
          value: null,
          unit: 'ms',
          message: `unreachable: ${errorText(err)}`,
        }),
      );
  }

  /** Reads the certificate even when it is not valid (to say why), then judges it. */
  private probeCertificate(url: URL): Promise<CheckOutput> {
    const c = this.config;
    const port = Number(url.port || 443);
    const target = `${url.hostname}:${port}`;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets
    return new Promise<CheckOutput>((resolve) => {
      const socket = tls.connect({
        host,
        port,
        servername: /^[\d.]+$|:/.test(host) ? undefined : host,
        ...(this.secureContext ? { secureContext: this.secureContext } : {}),
        rejectUnauthorized: false,
        timeout: c.timeoutMs,
      });
      const done = (r: CheckOutput) => {
        socket.destroy();
        resolve(r);
      };
      socket.once('secureConnect', () => done(this.judgeCertificate(url, peerOf(socket))));
      socket.once('timeout', () =>
        done({ kind: 'tls', target, status: 'unknown', value: null, unit: 'd', message: `no TLS handshake within ${c.timeoutMs} ms` }),
      );
      socket.once('error', (err) =>
        done({ kind: 'tls', target, status: 'unknown', value: null, unit: 'd', message: `TLS failed: ${errorText(err)}` }),
      );
    });
  }

  /** Days until the certificate expires, and whether it is trusted. */
  private judgeCertificate(url: URL, peer: Peer): CheckOutput {
    const c = this.config;
    const target = `${url.hostname}:${Number(url.port || 443)}`;
    const { cert } = peer;
    if (!cert?.valid_to) return { kind: 'tls', target, status: 'unknown', value: null, unit: 'd', message: 'no certificate presented' };
    const days = round((Date.parse(cert.valid_to) - Date.now()) / 86_400_000, 1);
    const trusted = peer.authorized || c.insecure;
    const status = !trusted && days > 0 ? 'crit' : below(days, c.tlsWarnDays, c.tlsCritDays);
    return {
      kind: 'tls',
      target,
      status,
      value: days,
      unit: 'd',
      message:
        days <= 0
          ? `certificate expired on ${cert.valid_to}`
          : `certificate valid until ${cert.valid_to} (${days} days)${trusted ? '' : `, not trusted: ${peer.why}`}`,
      evidence: { details: { subject: String(cert.subject?.CN ?? ''), issuer: String(cert.issuer?.CN ?? ''), validTo: cert.valid_to } },
    };
  }
}

/** What a handshake showed of the server's certificate. */
interface Peer {
  readonly cert: tls.PeerCertificate | undefined;
  readonly authorized: boolean;
  readonly why: string;
}

function peerOf(socket: tls.TLSSocket): Peer {
  return {
    cert: socket.getPeerCertificate(),
    authorized: socket.authorized,
    why: socket.authorizationError ? String(socket.authorizationError) : '',
  };
}
