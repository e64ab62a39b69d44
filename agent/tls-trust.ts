/**
 * A TLS context that trusts the CAs Node ships with plus one more (a private CA's PEM file).
 *
 * Not `createSecureContext({ ca: [...tls.rootCertificates, extra] })`: that copies the ~140
 * bundled roots into JavaScript strings and parses them again into a store of their own, about
 * 1 MB for the agent's lifetime. A default context shares Node's one store of bundled roots, and
 * adding a CA to it (`addCACert`, what `ca:` calls for each certificate) gives the context its
 * own copy of that store with the extra CA in it (node src/crypto/crypto_context.cc,
 * `SecureContext::AddCACert`: a context still on the shared store gets `NewRootCertStore()`).
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

export function trustingAlso(caFile: string): tls.SecureContext {
  const context = tls.createSecureContext();
  (context.context as { addCACert(pem: string): void }).addCACert(readFileSync(caFile, 'utf8'));
  return context;
}
