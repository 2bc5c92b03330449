/** What is read of an answer: enough for a robot API's error, never a whole download. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The first `max` bytes of a body as text; the rest is not read (the stream is cancelled). */
async function boundedText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const next = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (next.done || !next.value) break;
      chunks.push(next.value);
      size += next.value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * POSTs JSON; any non-2xx, or a robot API's non-zero errcode/code, is a failure. Redirects
 * are not followed (a 3xx is a failure naming its Location): a channel's URL is the one
 * place its headers and secrets may go, and an answer is read up to MAX_ANSWER_BYTES only.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await boundedText(res, MAX_ANSWER_BYTES);
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location') ?? '(no Location)';
    throw new Error(
      `HTTP ${res.status} redirect to ${to.slice(0, 200)} not followed: set the channel's URL to the final address`,
    );
  }
  if (!res.ok) throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  robotError(text);
}

/** DingTalk/WeCom answer {errcode, errmsg}, Feishu {code, msg}: HTTP 200 even on errors. */
function robotError(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  if (typeof parsed !== 'object' || parsed === null) return;
  const r = parsed as { errcode?: unknown; errmsg?: unknown; code?: unknown; msg?: unknown };
  if (typeof r.errcode === 'number' && r.errcode !== 0) {
    throw new Error(`errcode ${r.errcode}: ${typeof r.errmsg === 'string' ? r.errmsg : ''}`);
  }
  if (typeof r.code === 'number' && r.code !== 0) {
    throw new Error(`code ${r.code}: ${typeof r.msg === 'string' ? r.msg : ''}`);
  }
}
