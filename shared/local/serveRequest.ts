import type http from 'node:http';
import type { Config } from '../config/config';
import type { Engine, RawResponse, RequestHead } from '../http/engine';
import type { Logger } from '../ports/logger';
import { legacyOperatorAlias } from './legacyOperatorPaths';

/**
 * One request on the embedded host. The engine's pre-body check runs on the headers first: a
 * request it refuses (no or invalid key, too large by Content-Length, unknown route) is answered
 * at once and its body is never read. An admitted body is buffered up to MAX_BODY_BYTES; a body
 * without Content-Length (chunked) that grows past it is answered 413 as soon as it does.
 */
export function serveRequest(
  engine: Engine,
  config: Config,
  logger: Logger,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  expectsContinue: boolean,
): void {
  // A deprecated /api/admin/... path is routed as its /api/operator/... successor, and says so.
  const alias = legacyOperatorAlias(req.url ?? '/');
  const head: RequestHead = {
    method: req.method ?? 'GET',
    url: alias?.url ?? req.url ?? '/',
    headers: req.headers,
    origin: `http://${req.headers.host ?? `${config.host}:${config.port}`}`,
    remoteAddress: req.socket.remoteAddress,
  };
  const reply = (out: RawResponse) =>
    answer(req, res, config.maxBodyBytes, alias ? { ...out, headers: { ...out.headers, ...alias.headers } } : out);
  const failed = (err: Error) => {
    logger.error('request failed', { error: err.message });
    reply({
      status: 500,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Internal error', status: 500, code: 'internal_error' }),
    });
  };
  engine
    .admit(head)
    .then((admission) => {
      if ('refused' in admission) return reply(admission.refused);
      if (expectsContinue) res.writeContinue();
      readBody(req, config.maxBodyBytes, (body, size) => {
        // A body cut off at the limit goes in empty with its size so far: the engine answers 413.
        engine.complete(admission.admitted, { ...head, body, bodySize: size }).then(reply, failed);
      });
    })
    .catch(failed);
}

/** Buffers the body; stops at the first byte past the limit and reports an empty body with the size so far. */
function readBody(req: http.IncomingMessage, limit: number, done: (body: Buffer, size: number) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (c: Buffer) => {
    size += c.length;
    if (size <= limit) return void chunks.push(c);
    req.off('data', onData).off('end', onEnd);
    req.pause();
    done(Buffer.alloc(0), size);
  };
  const onEnd = () => done(Buffer.concat(chunks), size);
  req.on('data', onData).on('end', onEnd);
}

/**
 * Sends the answer. A body not read to its end (a refusal before it, or one cut off at the limit)
 * is left to node:http, which discards what remains to reuse the connection; when that could be
 * more than MAX_BODY_BYTES (declared larger, or chunked), the connection is closed after the
 * answer instead: node:http flushes the answer, then ends the socket.
 */
function answer(req: http.IncomingMessage, res: http.ServerResponse, limit: number, out: RawResponse): void {
  if (res.headersSent) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  const boundedRest = req.complete || (Number.isSafeInteger(declared) && declared <= limit);
  const headers = {
    ...out.headers,
    'content-length': String(Buffer.byteLength(out.body)),
    ...(boundedRest ? {} : { connection: 'close' }),
  };
  res.writeHead(out.status, headers);
  res.end(out.body);
}
