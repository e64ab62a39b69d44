/**
 * Reading a request body with a size cap. Every route that takes a body reads it here, so each
 * answers the same way: 413 over the cap (decided on `content-length` before reading when the
 * client declares it), 400 when the client goes away midway or the JSON does not parse.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/**
 * The whole request body. Rejects with `HttpError(413)` as soon as it exceeds `limitBytes` (the
 * rest is read and discarded, so the 413 reaches a client still sending), `HttpError(400)` if
 * the client goes away midway.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'payload_too_large', `request body over ${limitBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new HttpError(400, 'aborted', 'request body incomplete'));
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}

/** `body` as JSON (UTF-8), or `HttpError(400, 'malformed_json')`. */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'malformed_json', 'the body is not valid JSON');
  }
}

/** `readBody` then `parseJson`. */
export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  return parseJson(await readBody(req, limitBytes));
}
