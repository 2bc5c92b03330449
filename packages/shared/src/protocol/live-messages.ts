import { Type, type Static } from '@sinclair/typebox';
import { StatusCluster, StatusResponse } from './status';

/*
 * Server -> browser live feed, v1 (socket: /api/v1/live, same auth as REST).
 *
 *   server -> hello {protocol}
 *   server -> snapshot {rev, status}        (once, right after connect)
 *   server -> patch {rev, upsert, remove}   (whole clusters that changed; rev increases by 1)
 *
 * A client that sees a rev gap (rev != last + 1) reconnects to get a fresh snapshot.
 */

export const LiveHello = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Integer({ minimum: 1 }),
});

export const LiveSnapshot = Type.Object({
  type: Type.Literal('snapshot'),
  rev: Type.Integer({ minimum: 0 }),
  status: StatusResponse,
});
export type LiveSnapshot = Static<typeof LiveSnapshot>;

export const LivePatch = Type.Object({
  type: Type.Literal('patch'),
  rev: Type.Integer({ minimum: 1 }),
  /** Server time the patch was made; the browser can measure the feed's latency with it. */
  at: Type.Number(),
  upsert: Type.Array(StatusCluster),
  remove: Type.Array(Type.String()),
});
export type LivePatch = Static<typeof LivePatch>;

export const LiveToBrowser = Type.Union([LiveHello, LiveSnapshot, LivePatch]);
export type LiveToBrowser = Static<typeof LiveToBrowser>;
