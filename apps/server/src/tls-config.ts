import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Env } from './config';

/*
 * The server's own TLS (KEEPWATCH_TLS_CERT / KEEPWATCH_TLS_KEY, PEM files), besides the
 * documented reverse proxy. Read and checked at start, so a wrong path or a key of another
 * certificate is a clear message at once, not a handshake failure at the first browser.
 */

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** PEM, as read at start. */
  cert: string;
  key: string;
  /** sha256 of the certificate (DER), "AB:CD:…": what `keepwatch-agent --fingerprint` takes. */
  fingerprint: string;
  /** curl's --pinnedpubkey form of the certificate's public key: "sha256//<base64>". */
  pin: string;
}

function readPem(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new Error(`${name}=${file} cannot be read (${code || String(err)})`, { cause: err });
  }
}

/** The TLS settings from the environment, undefined when neither variable is set. */
export function loadTls(env: Env): TlsConfig | undefined {
  const certFile = env['KEEPWATCH_TLS_CERT'] || undefined;
  const keyFile = env['KEEPWATCH_TLS_KEY'] || undefined;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new Error(
      'KEEPWATCH_TLS_CERT and KEEPWATCH_TLS_KEY go together: set both (PEM certificate and its private key) or neither',
    );
  const cert = readPem('KEEPWATCH_TLS_CERT', certFile);
  const key = readPem('KEEPWATCH_TLS_KEY', keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`KEEPWATCH_TLS_CERT=${certFile} is not a PEM certificate`, { cause: err });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new Error(`KEEPWATCH_TLS_KEY=${keyFile} is not a PEM private key (or it is encrypted)`, {
      cause: err,
    });
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new Error(
      `KEEPWATCH_TLS_KEY=${keyFile} does not belong to the certificate in KEEPWATCH_TLS_CERT=${certFile}`,
    );
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    certFile,
    keyFile,
    cert,
    key,
    fingerprint: x509.fingerprint256,
    pin: `sha256//${createHash('sha256').update(spki).digest('base64')}`,
  };
}
