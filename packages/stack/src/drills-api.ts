import type { Drill, DrillKind } from '@keepwatch/shared';

/*
 * The drills REST calls of the lab tests and the drill bench (no vitest here, so a bench
 * outside the test runner can use them): an authenticated call, a start, and the bounded
 * wait for a drill's end.
 */

export interface DrillsApi {
  /** An authenticated REST call under /api/v1 (the caller reads the status). */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** POST /drills; anything but 201 throws with the status and the reason. */
  startDrill(
    clusterId: string,
    kind: DrillKind,
    options?: Record<string, unknown>,
  ): Promise<string>;
  /** Polls GET /drills/:id every 250 ms until it is no longer running (bounded). */
  waitDone: (id: string, timeoutMs?: number) => Promise<Drill>;
}

/** The drills REST calls against the server `target()` names (it changes across a restart). */
export function drillsApi(target: () => { url: string; token: string }): DrillsApi {
  const api = (path: string, init: RequestInit = {}): Promise<Response> => {
    const { url, token } = target();
    return fetch(`${url}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  };
  return {
    api,
    startDrill: async (clusterId, kind, options = {}) => {
      const res = await api('/drills', {
        method: 'POST',
        body: JSON.stringify({ clusterId, kind, options }),
      });
      const body = (await res.json()) as { id?: string; message?: string };
      if (res.status !== 201) throw new Error(`start ${kind}: ${res.status} ${body.message}`);
      return body.id ?? '';
    },
    waitDone: async (id, timeoutMs = 150_000) => {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const d = (await (await api(`/drills/${id}`)).json()) as Drill;
        if (d.status !== 'running') return d;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`drill ${id} still running after ${timeoutMs} ms`);
    },
  };
}
