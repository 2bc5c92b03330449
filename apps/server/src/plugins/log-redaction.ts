import type { FastifyRequest } from 'fastify';

/*
 * Credentials that travel in a URL are kept out of the logs. Browsers cannot set headers on
 * a WebSocket, so the live feed takes `?token=`; Fastify's request log line ("incoming
 * request", and every line bound to a request) would otherwise write that session token to
 * the journal for anyone who can read it. The parameter's value becomes `[redacted]`.
 */

const SECRET_PARAM = /^(token|access_token|api_key|apikey|key|password|secret|credential|sign)$/i;

function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** `url` with the values of secret-looking query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return SECRET_PARAM.test(paramName(name)) ? `${name}=[redacted]` : part;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

/** Fastify's default request serializer, with the URL redacted. */
export function requestSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** The logger option with the redacting serializer added (an object logger keeps its own settings). */
export function withRedaction(logger: boolean | object): boolean | object {
  if (logger === false) return false;
  const base = logger === true ? {} : (logger as { serializers?: Record<string, unknown> });
  return { ...base, serializers: { ...base.serializers, req: requestSerializer } };
}
