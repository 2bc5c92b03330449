/** POSTs JSON; any non-2xx, or a robot API's non-zero errcode/code, is a failure. */
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
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
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
