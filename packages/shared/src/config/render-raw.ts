import type { ConfigNode } from './keepalived-tree';
import type { NginxNode } from './nginx-tree';

/*
 * Statements the model does not describe, written back as they were (without comments),
 * so an imported config keeps them: the `extra` lines of the model.
 */

/** keepalived: one statement, its block (if any) on the following lines, four-space indent. */
export function renderKeepalivedNode(n: ConfigNode, depth = 0): string {
  const pad = '    '.repeat(depth);
  const word = (w: string): string => (/[\s{}#!]/.test(w) || w === '' ? `"${w}"` : w);
  const head = `${pad}${[n.key, ...n.args].map(word).join(' ')}`;
  if (!n.children) return head;
  const body = n.children.map((c) => renderKeepalivedNode(c, depth + 1));
  return [`${head} {`, ...body, `${pad}}`].join('\n');
}

/** A word as nginx reads it back: quoted (escapes kept as the tokenizer kept them) when needed. */
function nginxWord(w: string): string {
  // A backslash alone needs no quotes: nginx reads escapes in bare words too.
  if (w !== '' && !/[\s;{}#"']/.test(w.replace(/\$\{[^}]*\}/g, ''))) return w;
  // A raw word with an unescaped double quote came from single quotes.
  return /(^|[^\\])"/.test(w) ? `'${w}'` : `"${w}"`;
}

/** nginx: one directive (`name args;`) or block, four-space indent inside blocks. */
export function renderNginxNode(n: NginxNode, depth = 0): string {
  const pad = '    '.repeat(depth);
  const head = `${pad}${[n.name, ...n.args].map(nginxWord).join(' ')}`;
  if (!n.children) return `${head};`;
  const body = n.children.map((c) => renderNginxNode(c, depth + 1));
  return [`${head} {`, ...body, `${pad}}`].join('\n');
}
