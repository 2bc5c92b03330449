import { connect, isIP, type Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/*
 * One request on a fresh TCP connection, and the response's bytes as they come: the client
 * probe's transport. Two implementations of the same exchange:
 *
 * - `handle`: Node's own TCP handle (`tcp_wrap`, the binding net.Socket is built on): connect,
 *   one write, read, close; the same syscalls as net.Socket, none of the stream machinery
 *   (Socket and its Readable/Writable state, listeners, nextTicks). Measured on the lab VM
 *   (20 ms loop against nginx in another namespace, 10 s each, alternated): 650-750 µs of CPU
 *   per request against 1100-1300 for net.Socket. The binding is internal (process.binding,
 *   deprecated in the docs since Node 11, still served for tcp_wrap and stream_wrap in Node
 *   20-24): it is checked once at load and anything missing falls back to `net`.
 * - `net`: net.Socket (also for host names, which need a DNS lookup).
 *
 * Either way the connection is new per exchange (a kept-alive one would hide a VIP move).
 */

export interface ExchangeEvents {
  /** Response bytes (latin1 text), in order; the exchange stays open until close(). */
  data(chunk: string): void;
  /** The connection failed or ended: an errno name (ECONNREFUSED, ...) or 'EOF'. */
  end(code: string): void;
}

export interface Exchange {
  /** Closes the connection; no event follows. */
  close(): void;
}

export type Transport = 'handle' | 'net';

interface TcpHandle {
  onread: (buf: ArrayBuffer | undefined) => void;
  connect(req: object, address: string, port: number): number;
  connect6(req: object, address: string, port: number): number;
  readStart(): number;
  writeBuffer(req: object, data: Buffer): number;
  close(): void;
}

interface Binding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => { oncomplete?: (status: number) => void };
  WriteWrap: new () => {
    handle?: TcpHandle;
    oncomplete?: (status: number) => void;
    async?: boolean;
  };
  SOCKET: number;
  state: Int32Array;
  kRead: number;
  kOffset: number;
}

const UV_EOF = -4095;

function loadBinding(): Binding | undefined {
  try {
    const host = process as unknown as { binding(name: string): Record<string, unknown> };
    const bind = (name: string): Record<string, unknown> => host.binding(name);
    const tcp = bind('tcp_wrap') as {
      TCP?: Binding['TCP'];
      TCPConnectWrap?: Binding['TCPConnectWrap'];
      constants?: { SOCKET?: number };
    };
    const sw = bind('stream_wrap') as {
      WriteWrap?: Binding['WriteWrap'];
      streamBaseState?: Int32Array;
      kReadBytesOrError?: number;
      kArrayBufferOffset?: number;
    };
    if (
      typeof tcp.TCP !== 'function' ||
      typeof tcp.TCPConnectWrap !== 'function' ||
      typeof tcp.constants?.SOCKET !== 'number' ||
      typeof sw.WriteWrap !== 'function' ||
      !(sw.streamBaseState instanceof Int32Array) ||
      typeof sw.kReadBytesOrError !== 'number' ||
      typeof sw.kArrayBufferOffset !== 'number'
    )
      return undefined;
    const proto = tcp.TCP.prototype as Partial<TcpHandle>;
    for (const m of ['connect', 'connect6', 'readStart', 'writeBuffer', 'close'] as const)
      if (typeof proto[m] !== 'function') return undefined;
    return {
      TCP: tcp.TCP,
      TCPConnectWrap: tcp.TCPConnectWrap,
      WriteWrap: sw.WriteWrap,
      SOCKET: tcp.constants.SOCKET,
      state: sw.streamBaseState,
      kRead: sw.kReadBytesOrError,
      kOffset: sw.kArrayBufferOffset,
    };
  } catch {
    return undefined;
  }
}

const binding = loadBinding();

/** The transport used for an IP address unless told otherwise. */
export const defaultTransport: Transport = binding ? 'handle' : 'net';

function codeOf(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return 'EIO';
  }
}

function viaHandle(
  b: Binding,
  host: string,
  port: number,
  family: number,
  request: Buffer,
  ev: ExchangeEvents,
): Exchange {
  const h = new b.TCP(b.SOCKET);
  let open = true;
  const fail = (code: string): void => {
    if (!open) return;
    open = false;
    h.close();
    ev.end(code);
  };
  h.onread = (buf) => {
    const n = b.state[b.kRead] ?? 0;
    if (n > 0 && buf) {
      if (open) ev.data(Buffer.from(buf, b.state[b.kOffset], n).toString('latin1'));
    } else if (n < 0) fail(n === UV_EOF ? 'EOF' : codeOf(n));
  };
  const req = new b.TCPConnectWrap();
  req.oncomplete = (status) => {
    if (!open) return;
    if (status < 0) return fail(codeOf(status));
    const w = new b.WriteWrap();
    w.handle = h;
    w.async = false;
    w.oncomplete = (s) => {
      if (s < 0) fail(codeOf(s));
    };
    const err = h.writeBuffer(w, request) || h.readStart();
    if (err < 0) fail(codeOf(err));
  };
  const err = family === 6 ? h.connect6(req, host, port) : h.connect(req, host, port);
  // A synchronous refusal (bad address, no route) still reports after this call returns.
  if (err < 0) queueMicrotask(() => fail(codeOf(err)));
  return {
    close: () => {
      if (!open) return;
      open = false;
      h.close();
    },
  };
}

function viaNet(host: string, port: number, request: Buffer, ev: ExchangeEvents): Exchange {
  let open = true;
  const sock: Socket = connect({ host, port });
  const end = (code: string): void => {
    if (!open) return;
    open = false;
    sock.destroy();
    ev.end(code);
  };
  sock.write(request);
  sock.setEncoding('latin1');
  sock.on('data', (chunk: string) => {
    if (open) ev.data(chunk);
  });
  sock.once('error', (err: NodeJS.ErrnoException) => end(err.code ?? 'EIO'));
  sock.once('close', () => end('EOF'));
  return {
    close: () => {
      if (!open) return;
      open = false;
      sock.destroy();
    },
  };
}

/** Where an exchange goes: `family` is net.isIP(host) (0 for a name), worked out once. */
export interface Peer {
  host: string;
  port: number;
  family: number;
}

export function peerOf(host: string, port: number): Peer {
  return { host, port, family: isIP(host) };
}

/** Opens a fresh connection to the peer, writes `request`, reports the response's bytes. */
export function exchange(
  peer: Peer,
  request: Buffer,
  ev: ExchangeEvents,
  transport: Transport = defaultTransport,
): Exchange {
  if (transport === 'handle' && binding && peer.family !== 0)
    return viaHandle(binding, peer.host, peer.port, peer.family, request, ev);
  return viaNet(peer.host, peer.port, request, ev);
}
