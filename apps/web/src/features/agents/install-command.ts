/* The copy-paste line an admin runs on a new host, as a pure function. */

/** POSIX single-quoting, so a token or URL can never break out of its argument. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What the panel tells about its own certificate (GET /api/v1/agent-dist/trust). */
export interface PanelTrust {
  /** sha256 of the certificate, for the agent's --fingerprint. */
  fingerprint: string | null;
  /** curl's public-key pin ("sha256//…"), for every download. */
  pin: string | null;
}

export type InstallCommand =
  /** `insecure`: plain http chosen explicitly; show the warning beside the line. */
  | { kind: 'line'; line: string; insecure: boolean }
  /** A plain-http panel off loopback: no line until the admin explicitly accepts the risk. */
  | { kind: 'needs-insecure-choice' };

const isLoopback = (panel: string): boolean =>
  /^http:\/\/(localhost([:/]|$)|127\.|\[::1\])/.test(panel);

/**
 * `curl … <panel>/api/v1/agent-dist/install.sh | sudo sh -s -- --server <panel> --token <T> …`.
 * Over https with the panel's own certificate, curl and the installer pin its public key on
 * every download (install.sh, manifest, agent) and the agent gets the fingerprint; over https
 * without one (a reverse proxy, a CA-signed certificate) the system's CAs decide. Plain http
 * gets a line only on loopback, or when `allowInsecure` was chosen (then --allow-insecure).
 */
export function installCommand(
  panelOrigin: string,
  token: string,
  trust: PanelTrust | null,
  opts: { allowInsecure?: boolean } = {},
): InstallCommand {
  const panel = panelOrigin.replace(/\/+$/, '');
  const script = shellQuote(`${panel}/api/v1/agent-dist/install.sh`);
  const args = `--server ${shellQuote(panel)} --token ${shellQuote(token)}`;
  if (panel.startsWith('https://')) {
    const pin = trust?.pin ?? null;
    const fingerprint = trust?.fingerprint ?? null;
    if (pin && fingerprint) {
      const p = shellQuote(pin);
      return {
        kind: 'line',
        insecure: false,
        line: `curl -fsSL --proto =https -k --pinnedpubkey ${p} ${script} | sudo sh -s -- ${args} --pin ${p} --fingerprint ${shellQuote(fingerprint)}`,
      };
    }
    return {
      kind: 'line',
      insecure: false,
      line: `curl -fsSL --proto =https ${script} | sudo sh -s -- ${args}`,
    };
  }
  if (isLoopback(panel))
    return { kind: 'line', insecure: false, line: `curl -fsSL ${script} | sudo sh -s -- ${args}` };
  if (!opts.allowInsecure) return { kind: 'needs-insecure-choice' };
  return {
    kind: 'line',
    insecure: true,
    line: `curl -fsSL ${script} | sudo sh -s -- ${args} --allow-insecure`,
  };
}
