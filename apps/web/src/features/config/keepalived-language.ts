import { StreamLanguage, type StringStream } from '@codemirror/language';

/*
 * keepalived.conf highlighting for CodeMirror: a small stream tokenizer (CodeMirror has no
 * keepalived mode). The grammar is line-based: `#` or `!` starts a comment anywhere, the
 * first word of a statement is its keyword (blocks such as vrrp_instance stand out), then
 * values: quoted strings, numbers and addresses, states and a few well-known words.
 */

const BLOCKS = new Set([
  'global_defs',
  'vrrp_instance',
  'vrrp_script',
  'vrrp_sync_group',
  'track_file',
  'vrrp_track_file',
  'virtual_server',
  'virtual_server_group',
  'real_server',
  'virtual_ipaddress',
  'virtual_ipaddress_excluded',
  'virtual_routes',
  'virtual_rules',
  'track_script',
  'track_interface',
  'track_process',
  'unicast_peer',
  'authentication',
  'static_ipaddress',
  'static_routes',
  'HTTP_GET',
  'SSL_GET',
  'TCP_CHECK',
  'MISC_CHECK',
  'url',
  'group',
]);

const ATOMS = new Set([
  'MASTER',
  'BACKUP',
  'FAULT',
  'PASS',
  'AH',
  'nopreempt',
  'dev',
  'weight',
  'label',
  'scope',
  'root',
]);

export interface KeepalivedState {
  /** True until the first word of the current statement has been read. */
  lineStart: boolean;
}

/** One token of keepalived.conf; returns a legacy-mode style name (or null for plain text). */
export function keepalivedToken(stream: StringStream, state: KeepalivedState): string | null {
  if (stream.sol()) state.lineStart = true;
  if (stream.eatSpace()) return null;
  const ch = stream.peek();
  if (ch === '#' || ch === '!') {
    stream.skipToEnd();
    return 'comment';
  }
  if (ch === '{' || ch === '}') {
    stream.next();
    state.lineStart = true;
    return 'bracket';
  }
  if (ch === '"') {
    stream.next();
    let escaped = false;
    let c: string | void;
    while ((c = stream.next()) !== undefined) {
      if (c === '"' && !escaped) break;
      escaped = !escaped && c === '\\';
    }
    state.lineStart = false;
    return 'string';
  }
  stream.eatWhile(/[^\s{}"#!]/);
  const word = stream.current();
  const first = state.lineStart;
  state.lineStart = false;
  if (first && word.startsWith('@')) {
    // `@name` conditional line prefix: the statement's keyword is the next word.
    state.lineStart = true;
    return 'meta';
  }
  // Addresses open the lines of virtual_ipaddress and unicast_peer blocks.
  if (/^-?[0-9][0-9.:/]*$/.test(word)) return 'number';
  if (first) return BLOCKS.has(word) ? 'keyword' : 'propertyName';
  if (ATOMS.has(word)) return 'atom';
  return null;
}

export const keepalivedLanguage = StreamLanguage.define<KeepalivedState>({
  name: 'keepalived',
  startState: () => ({ lineStart: true }),
  token: keepalivedToken,
  copyState: (s) => ({ ...s }),
  languageData: { commentTokens: { line: '#' } },
});
