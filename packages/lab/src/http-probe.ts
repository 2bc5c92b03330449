import { request } from 'node:http';

/*
 * HTTP from the root namespace into the lab, over the host veth. Used to decide that a
 * service "answers" (not just that its process exists). Only lab addresses are probed.
 */

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpGet(url: string, timeoutMs: number): Promise<HttpAnswer | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 1_000_000) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** 2xx/3xx within the timeout. */
export async function answers(url: string, timeoutMs = 500): Promise<boolean> {
  const r = await httpGet(url, timeoutMs);
  return r !== undefined && r.status >= 200 && r.status < 400;
}
