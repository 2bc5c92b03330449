import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TransportOptions } from '../tls-connect';

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** POSTs JSON over http(s) with the agent's trust options; rejects on network/TLS errors. */
export function postJson(
  url: string,
  payload: unknown,
  transport: TransportOptions,
  timeoutMs = 15_000,
): Promise<JsonResponse> {
  const u = new URL(url);
  const data = JSON.stringify(payload);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        timeout: timeoutMs,
        ...(transport.ca && { ca: transport.ca }),
        // With createConnection and no agent, http uses our (pinning) connect for this request.
        ...(transport.createConnection && {
          createConnection: transport.createConnection as never,
        }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text for the error message
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from ${u.origin} within ${timeoutMs / 1000} s`)),
    );
    req.on('error', reject);
    req.end(data);
  });
}
