/**
 * The HTTP edge of the embedded host: a request it refuses on its headers (no or invalid key, a
 * declared body over MAX_BODY_BYTES) is answered before its body is read, and repeated failed
 * authentication from one address is slowed without slowing valid keys. Raw sockets, so the test
 * controls exactly which bytes the client has sent when the answer arrives.
 */
import net from 'node:net';
import { DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

const FIVE_MB = 5 * 1024 * 1024;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes the client had written when the answer's head arrived. */
  bodyBytesSent: number;
}

/** Parses the first HTTP answer (head and Content-Length body) out of the bytes received so far. */
function parseAnswer(data: Buffer): Omit<RawAnswer, 'bodyBytesSent'> | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < end + 4 + length) return null;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/**
 * Sends the request head, then (optionally) the body in 64 KiB chunks, each after the previous one
 * was handed to the kernel, until the answer arrives or `bodyBytes` are written.
 */
function rawRequest(url: string, head: string, bodyBytes = 0): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let sent = 0;
    let answered = false;
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const answer = parseAnswer(received);
      if (answer && !answered) {
        answered = true;
        socket.destroy();
        resolve({ ...answer, bodyBytesSent: sent });
      }
    });
    socket.on('error', (err) => !answered && reject(err));
    socket.on(
      'close',
      () => !answered && reject(new Error(`closed without an answer after ${sent} body bytes: ${received.toString('latin1')}`)),
    );
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const writeMore = () => {
      if (answered || sent >= bodyBytes || socket.destroyed) return;
      const n = Math.min(chunk.length, bodyBytes - sent);
      sent += n;
      socket.write(chunk.subarray(0, n), writeMore);
    };
    socket.write(head, writeMore);
  });
}

const post = (path: string, headers: Record<string, string>) =>
  [
    `POST /api${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');

describe('the HTTP edge refuses on the headers, before the body', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost(); // MAX_BODY_BYTES 65536
  });
  afterEach(() => t.close());

  test('a 5 MB body without a key is answered 401 before any of it is sent, and the connection is closed', async () => {
    const answer = await rawRequest(t.url, post('/messages', { 'Content-Length': String(FIVE_MB) }));
    expect(answer).toMatchObject({ status: 401, bodyBytesSent: 0, headers: expect.objectContaining({ connection: 'close' }) });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'unauthenticated' });
  }, 10_000);

  test('a 5 MB body with an invalid key is answered 401 before any of it is sent', async () => {
    const answer = await rawRequest(t.url, post('/messages', { 'Content-Length': String(FIVE_MB), 'X-API-Key': 'dfs_wrong' }));
    expect(answer).toMatchObject({ status: 401, bodyBytesSent: 0 });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_api_key' });
  }, 10_000);

  test('a valid key with a Content-Length over MAX_BODY_BYTES is answered 413 before any of the body is sent', async () => {
    const answer = await rawRequest(t.url, post('/messages', { 'Content-Length': String(FIVE_MB), 'X-API-Key': DEV_KEY }));
    expect(answer).toMatchObject({ status: 413, bodyBytesSent: 0 });
    expect(JSON.parse(answer.body)).toMatchObject({
      code: 'payload_too_large',
      detail: `The body is ${FIVE_MB} bytes; the limit is 65536.`,
    });
  }, 10_000);

  test('a client that keeps sending gets the answer, and the server stops reading long before 100 MB', async () => {
    const hundredMb = 100 * 1024 * 1024;
    const answer = await rawRequest(t.url, post('/messages', { 'Content-Length': String(hundredMb) }), hundredMb);
    expect(answer.status).toBe(401);
    expect(answer.bodyBytesSent).toBeLessThan(hundredMb);
  }, 20_000);

  test('a client waiting for 100 Continue gets the refusal instead, and never sends the body', async () => {
    const answer = await rawRequest(t.url, post('/messages', { 'Content-Length': String(FIVE_MB), Expect: '100-continue' }));
    expect(answer).toMatchObject({ status: 401, bodyBytesSent: 0 });
  });

  test('an admitted client waiting for 100 Continue is told to go on and is served', async () => {
    const body = JSON.stringify({ to: '+14155550123', text: 'Hello after 100 Continue' });
    const { hostname, port } = new URL(t.url);
    const socket = net.connect(Number(port), hostname);
    let received = '';
    const answer = await new Promise<string>((resolve) => {
      socket.on('data', (d: Buffer) => {
        received += d.toString('utf8');
        if (received.startsWith('HTTP/1.1 100')) {
          received = received.slice(received.indexOf('\r\n\r\n') + 4);
          socket.write(body);
        }
        if (/^HTTP\/1\.1 [2-5]\d\d/.test(received) && parseAnswer(Buffer.from(received))) resolve(received);
      });
      socket.write(post('/messages', { 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue', 'X-API-Key': DEV_KEY }));
    });
    socket.destroy();
    expect(parseAnswer(Buffer.from(answer))).toMatchObject({ status: 202 });
  });

  test('a chunked body that grows past MAX_BODY_BYTES is answered 413 without waiting for its end', async () => {
    const { hostname, port } = new URL(t.url);
    const socket = net.connect(Number(port), hostname);
    const chunk = 'a'.repeat(70 * 1024);
    const answer = await new Promise<Buffer>((resolve) => {
      let received = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        received = Buffer.concat([received, d]);
        if (parseAnswer(received)) resolve(received);
      });
      // One chunk over the limit and no final 0-length chunk: the body never ends.
      socket.write(
        `${post('/messages', { 'Transfer-Encoding': 'chunked', 'X-API-Key': DEV_KEY })}${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      );
    });
    socket.destroy();
    expect(parseAnswer(answer)).toMatchObject({ status: 413, headers: expect.objectContaining({ connection: 'close' }) });
  }, 10_000);

  test('a refusal of a request whose small body was all sent keeps the connection for the next request', async () => {
    const res = await fetch(`${t.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'dfs_wrong' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('connection')).not.toBe('close');
  });
});
