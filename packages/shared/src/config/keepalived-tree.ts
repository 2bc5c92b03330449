/*
 * keepalived.conf as a statement tree, the way keepalived 2.2 reads it: one statement per
 * line ("keyword args... [{ block }]"), `#` and `!` start a comment outside double quotes,
 * a double-quoted string is one word, `{` and `}` are words of their own even when glued to
 * another word, and a block opening on the next line belongs to the statement before it.
 * `@name` / `@^name` at the start of a line makes it conditional on keepalived's `-i`
 * instance name: the node keeps the condition so readers can tell such lines apart.
 * Unknown keywords are kept; nothing here throws.
 */

export interface ConfigNode {
  key: string;
  args: string[];
  children?: ConfigNode[];
  /** 1-based line of the keyword in its file. */
  line: number;
  /** The file the statement came from, once includes are resolved (see includes.ts). */
  file?: string;
  /** `@high` → 'high', `@^low` → '^low': the line only applies to that keepalived -i. */
  condition?: string;
}

interface Token {
  word: string;
  line: number;
  /** A `{`/`}` written as such, not inside quotes. */
  brace: boolean;
  condition?: string;
}

/** Words of one line, with comments removed and quotes honoured. */
function lineWords(text: string): { word: string; brace: boolean }[] {
  const out: { word: string; brace: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#' || c === '!') break;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '{' || c === '}') {
      out.push({ word: c, brace: true });
      i++;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const stop = end < 0 ? text.length : end;
      out.push({ word: text.slice(i + 1, stop), brace: false });
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s{}#!"]/.test(text[j] ?? '')) j++;
    out.push({ word: text.slice(i, j), brace: false });
    i = j;
  }
  return out;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    let body = raw;
    let condition: string | undefined;
    const cond = /^\s*@(\^?[A-Za-z0-9_.-]*)\s+/.exec(raw);
    if (cond) {
      condition = cond[1] ?? '';
      body = raw.slice(cond[0].length);
    }
    for (const w of lineWords(body))
      tokens.push({ ...w, line: index + 1, ...(condition !== undefined && { condition }) });
  });
  return tokens;
}

/** Parses keepalived.conf text into a statement tree; an unmatched `}` closes nothing. */
export function parseKeepalivedTree(text: string, file?: string): ConfigNode[] {
  const tokens = tokenize(text);
  let i = 0;
  const block = (): ConfigNode[] => {
    const nodes: ConfigNode[] = [];
    let current: ConfigNode | undefined;
    let currentLine = -1;
    while (i < tokens.length) {
      const t = tokens[i++];
      if (!t) break;
      if (t.brace && t.word === '}') return nodes;
      if (t.line !== currentLine) current = undefined;
      if (t.brace && t.word === '{') {
        // A block opening on its own line belongs to the previous statement.
        const owner = current ?? nodes[nodes.length - 1];
        const children = block();
        if (owner) owner.children = [...(owner.children ?? []), ...children];
        current = undefined;
        continue;
      }
      if (current) current.args.push(t.word);
      else {
        current = {
          key: t.word,
          args: [],
          line: t.line,
          ...(file !== undefined && { file }),
          ...(t.condition !== undefined && { condition: t.condition }),
        };
        currentLine = t.line;
        nodes.push(current);
      }
    }
    return nodes;
  };
  return block();
}

/** The first direct child with this key. */
export function childNode(node: ConfigNode, key: string): ConfigNode | undefined {
  return node.children?.find((c) => c.key === key);
}

/** Entries of a list block (virtual_ipaddress, track_script, ...): one per statement. */
export function blockEntries(node: ConfigNode, key: string): ConfigNode[] {
  return node.children?.filter((c) => c.key === key).flatMap((c) => c.children ?? []) ?? [];
}

/** Every node of the tree, depth first. */
export function walkTree(nodes: readonly ConfigNode[], visit: (n: ConfigNode) => void): void {
  for (const n of nodes) {
    visit(n);
    if (n.children) walkTree(n.children, visit);
  }
}
