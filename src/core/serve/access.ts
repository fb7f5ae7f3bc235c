// Who may use the server: a bearer token, compared in constant time, or no token on a loopback
// address only. Without a token the Host header must name loopback too, so a web page cannot reach
// the server through a DNS name rebound to 127.0.0.1, and a POST must say it is JSON, which a page
// can only send after a CORS preflight the server never approves.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ServeError } from './errors';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses a setup that would expose the upstream's key to anyone who can reach the port. */
export function checkListenAddress(host: string, token: string | undefined): void {
  if (token === undefined && !isLoopbackHost(host)) {
    throw new Error(`refusing to listen on ${host} without a token: anyone who can reach it could spend your upstream key; give --token (or THOUGHTSCOPE_SERVE_TOKEN), or listen on 127.0.0.1`);
  }
  if (token !== undefined && token.trim().length < 8) throw new Error('the token must be at least 8 characters');
}

export function checkAccess(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopbackHost(hostHeader)) throw new ServeError(403, `Host "${req.headers.host ?? ''}" is not a loopback name; without a token the server answers only requests addressed to 127.0.0.1, ::1 or localhost.`, 'invalid_request_error', null, 'forbidden_host');
    if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      throw new ServeError(415, 'Send the body as JSON with the header Content-Type: application/json.', 'invalid_request_error', null, 'unsupported_media_type');
    }
    return;
  }
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) {
    throw new ServeError(401, "You didn't provide an API key: send the server's token in an Authorization header (Authorization: Bearer <token>); OpenAI clients send their API key setting there.", 'invalid_request_error', null, 'missing_api_key');
  }
  if (!sameSecret(match[1].trim(), token)) throw new ServeError(401, 'Incorrect API key provided: the bearer token does not match the token the server was started with.', 'invalid_request_error', null, 'invalid_api_key');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
