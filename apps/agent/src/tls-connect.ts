import type WebSocket from 'ws';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { insecureTransportError, normalizeFingerprint, type ServerTrust } from './tls';

/* The TLS options for ws and https requests to the panel, built from the agent's trust config. */

export type CreateConnection = (
  opts: ConnectionOptions,
  cb: (err: Error | null, socket?: Socket) => void,
) => undefined;

/**
 * A connect function that hands the socket to http/ws only after the server certificate's
 * sha256 matched the pin: nothing (not even the HTTP request line) is written before that.
 * Chain validation is skipped on purpose: the pin is the trust anchor (self-signed panels).
 */
export function pinnedConnection(fingerprint: string): CreateConnection {
  const want = normalizeFingerprint(fingerprint);
  return (opts, cb) => {
    let done = false;
    const finish = (err: Error | null, socket?: TLSSocket): void => {
      if (done) return;
      done = true;
      cb(err, socket);
    };
    const sock = tlsConnect({ ...opts, rejectUnauthorized: false });
    sock.once('secureConnect', () => {
      const got = sock.getPeerCertificate().fingerprint256;
      if (got === want) return finish(null, sock);
      sock.destroy();
      finish(
        new Error(
          `server certificate fingerprint ${got || '(none)'} does not match the pinned ${want}: refusing to connect`,
        ),
      );
    });
    sock.once('error', (err: Error) => finish(err));
    return undefined;
  };
}

export interface TransportOptions {
  ca?: Buffer;
  createConnection?: CreateConnection;
}

/** Throws (with a message for the operator) if the trust config is unusable. */
export async function transportOptions(trust: ServerTrust): Promise<TransportOptions> {
  const refused = insecureTransportError(trust);
  if (refused) throw new Error(refused);
  const out: TransportOptions = {};
  if (trust.caFile) {
    try {
      out.ca = await readFile(trust.caFile);
    } catch (err) {
      throw new Error(`cannot read CA file ${trust.caFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (trust.fingerprint) out.createConnection = pinnedConnection(trust.fingerprint);
  return out;
}

/**
 * The same options in ws's shape. ws passes createConnection on to http(s).request, which
 * accepts the (options, callback) form; @types/ws only declares net.createConnection's.
 */
export function wsClientOptions(
  t: TransportOptions,
): Pick<WebSocket.ClientOptions, 'ca' | 'createConnection'> {
  return {
    ...(t.ca && { ca: t.ca }),
    ...(t.createConnection && {
      createConnection:
        t.createConnection as unknown as WebSocket.ClientOptions['createConnection'],
    }),
  };
}
