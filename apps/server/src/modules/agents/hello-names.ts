import type { AgentHello } from '@keepwatch/shared';

/*
 * Names an agent reports end up in the dashboard, logs, alerts and e-mails. HTML in them is
 * harmless data (every renderer escapes), but control characters (newlines forging log lines,
 * ESC sequences in terminals) and bidi overrides (a name that displays as another) are never
 * legitimate in a host or node name: such a hello is refused, not silently rewritten, so the
 * operator sees why the node is missing.
 */
// C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export function hasForbiddenChars(text: string): boolean {
  return FORBIDDEN.test(text);
}

/** Why this hello's names are unacceptable, or null. */
export function helloNameProblem(hello: AgentHello): string | null {
  const fields: [string, string | undefined][] = [
    ['node name', hello.node.name],
    ['cluster name', hello.node.cluster.name],
    ['hostname', hello.facts.hostname],
    ['os', hello.facts.os],
    ['agent version', hello.facts.agentVersion],
  ];
  for (const [label, value] of fields) {
    if (value !== undefined && hasForbiddenChars(value))
      return `${label} contains control characters`;
  }
  return null;
}
