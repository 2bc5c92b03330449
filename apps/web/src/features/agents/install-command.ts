/* The copy-paste line an admin runs on a new host, as a pure function. */

/** POSIX single-quoting, so a token or URL can never break out of its argument. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `curl -fsSL <panel>/api/v1/agent-dist/install.sh | sudo sh -s -- --server <panel> --token <T>` */
export function installOneLiner(panelOrigin: string, token: string): string {
  const panel = panelOrigin.replace(/\/+$/, '');
  const insecure =
    panel.startsWith('http://') && !/^http:\/\/(localhost|127\.|\[::1\])/.test(panel)
      ? ' --allow-insecure'
      : '';
  return `curl -fsSL ${shellQuote(`${panel}/api/v1/agent-dist/install.sh`)} | sudo sh -s -- --server ${shellQuote(panel)} --token ${shellQuote(token)}${insecure}`;
}
