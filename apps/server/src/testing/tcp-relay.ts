import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * A TCP relay on 127.0.0.1 for fault tests: what a VIP, a proxy or the network is between a
 * server and PostgreSQL. Each accepted connection is piped to `127.0.0.1:<target>`.
 *
 *  cut('drop')  destroys every open pair (both peers see a reset/close at once) and refuses
 *               new connections until heal(): a router that answers with RSTs.
 *  cut('stall') freezes every open pair without closing it (bytes stay in the relay, nothing
 *               is forwarded either way) and leaves new connections hanging unanswered: a
 *               path that black-holes packets. The frozen pairs stay frozen after heal()
 *               (their state is gone, as a moved VIP or a lost NAT entry leaves them); only
 *               new connections pass again. Note: the peers' kernels still ACK each other's
 *               TCP keepalive probes through a user-space relay, so a stall here is noticed
 *               only by timeouts above TCP (query_timeout and the like), never by keepalive.
 *  heal()       new connections pass again.
 *  retarget(p)  new connections go to port p (a failover: the VIP moved to the standby).
 */

export type CutMode = 'drop' | 'stall';

export interface TcpRelay {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  cut(mode: CutMode): void;
  heal(): void;
  retarget(port: number): void;
  /** Destroys every socket (frozen ones too) and stops listening. */
  close(): Promise<void>;
}

export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  let target = targetPort;
  let state: 'open' | CutMode = 'open';
  let accepted = 0;
  const live = new Set<Socket>();
  const frozen = new Set<Socket>();

  const track = (s: Socket): void => {
    live.add(s);
    s.on('close', () => {
      live.delete(s);
      frozen.delete(s);
    });
    s.on('error', () => undefined);
  };

  const server: Server = createServer((inbound) => {
    accepted++;
    track(inbound);
    if (state === 'drop') {
      inbound.destroy();
      return;
    }
    if (state === 'stall') {
      inbound.pause();
      frozen.add(inbound);
      return;
    }
    inbound.pause();
    const outbound = createConnection({ host: '127.0.0.1', port: target });
    track(outbound);
    const pair = [inbound, outbound];
    outbound.on('connect', () => {
      if (frozen.has(inbound)) return;
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      inbound.resume();
    });
    for (const s of pair)
      s.on('close', () => {
        // A closed side closes the other, unless the pair is frozen (stalled: nobody knows).
        for (const o of pair) if (!frozen.has(o)) o.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    port,
    get accepted() {
      return accepted;
    },
    cut: (mode) => {
      state = mode;
      for (const s of [...live]) {
        if (mode === 'drop') s.destroy();
        else {
          s.unpipe();
          s.pause();
          frozen.add(s);
        }
      }
    },
    heal: () => {
      state = 'open';
    },
    retarget: (p) => {
      target = p;
    },
    close: () => {
      for (const s of [...live]) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
