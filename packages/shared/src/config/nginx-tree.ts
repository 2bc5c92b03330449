/*
 * nginx.conf as a directive tree: `name args... ;` or `name args... { block }`, `#` comments
 * to the end of the line outside quotes, '…' and "…" strings (one word each, escapes kept as
 * written). Line breaks mean nothing to nginx; lines are kept for findings. Never throws:
 * what nginx would reject (an unclosed block, a stray `}`) is listed in `errors`, and
 * `nginx -t` has the last word.
 */

export interface NginxNode {
  name: string;
  args: string[];
  children?: NginxNode[];
  /** 1-based line of the directive's name. */
  line: number;
  file?: string;
}

export interface NginxParse {
  nodes: NginxNode[];
  errors: { line: number; message: string }[];
}

interface Token {
  word: string;
  line: number;
  /** `;`, `{` or `}` written as such (not inside quotes). */
  punct: boolean;
}

/**
 * A quoted word as written between its quotes, escapes untouched (`\"`, `\n` …): nginx
 * interprets them itself, and keeping them raw lets a directive be written back unchanged.
 */
function readQuoted(text: string, from: number, quote: string): { word: string; end: number } {
  let i = from + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  return { word: text.slice(from + 1, Math.min(i, text.length)), end: i + 1 };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ word: c, line, punct: true });
      i++;
    } else if (c === '"' || c === "'") {
      const q = readQuoted(text, i, c);
      tokens.push({ word: q.word, line, punct: false });
      line += (text.slice(i, q.end).match(/\n/g) ?? []).length;
      i = q.end;
    } else {
      let j = i;
      // `${var}` keeps its braces: they are part of the word, not a block.
      while (j < text.length) {
        const d = text[j] ?? '';
        if (d === '$' && text[j + 1] === '{') {
          const close = text.indexOf('}', j);
          j = close < 0 ? text.length : close + 1;
          continue;
        }
        if (/[\s;{}#"']/.test(d)) break;
        j++;
      }
      tokens.push({ word: text.slice(i, j), line, punct: false });
      i = j;
    }
  }
  return tokens;
}

export function parseNginxTree(text: string, file?: string): NginxParse {
  const tokens = tokenize(text);
  const errors: NginxParse['errors'] = [];
  let i = 0;
  const block = (depth: number): NginxNode[] => {
    const nodes: NginxNode[] = [];
    let current: NginxNode | undefined;
    while (i < tokens.length) {
      const t = tokens[i++];
      if (!t) break;
      if (t.punct && t.word === '}') {
        if (current) errors.push({ line: t.line, message: `"${current.name}" lacks its ";"` });
        if (depth === 0) {
          errors.push({ line: t.line, message: 'unexpected "}"' });
          continue;
        }
        return nodes;
      }
      if (t.punct && t.word === ';') {
        if (!current) errors.push({ line: t.line, message: 'unexpected ";"' });
        current = undefined;
        continue;
      }
      if (t.punct && t.word === '{') {
        const owner = current ?? { name: '', args: [], line: t.line };
        if (!current) {
          errors.push({ line: t.line, message: 'a block without a directive' });
          nodes.push(owner);
        }
        owner.children = block(depth + 1);
        current = undefined;
        continue;
      }
      if (current) current.args.push(t.word);
      else {
        current = { name: t.word, args: [], line: t.line, ...(file !== undefined && { file }) };
        nodes.push(current);
      }
    }
    if (current) errors.push({ line: current.line, message: `"${current.name}" lacks its ";"` });
    if (depth > 0) errors.push({ line: tokens.at(-1)?.line ?? 1, message: 'unclosed "{"' });
    return nodes;
  };
  return { nodes: block(0), errors };
}

/** Direct children with this name. */
export function nginxChildren(node: { children?: NginxNode[] }, name: string): NginxNode[] {
  return node.children?.filter((c) => c.name === name) ?? [];
}

/** The last direct child with this name (nginx: the later one wins or it is a duplicate). */
export function nginxChild(node: { children?: NginxNode[] }, name: string): NginxNode | undefined {
  return nginxChildren(node, name).at(-1);
}
