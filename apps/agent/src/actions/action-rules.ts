import type { ActionName, AgentConfig } from '@keepwatch/shared';

/*
 * Which control each action needs. The agent's own host config is the only grant; the
 * server can never widen it. service.status only reads, so it needs none.
 */

export type Control = AgentConfig['control'][number];

export const REQUIRED_CONTROL: Record<ActionName, Control | undefined> = {
  'config.apply': 'config',
  'drill.fault': 'drills',
  'drill.restore': 'drills',
  'service.status': undefined,
  // The client probe sends traffic to addresses the server names: only where drills are allowed.
  'probe.run': 'drills',
  'probe.stop': undefined,
};

export interface Refusal {
  code: 'not_permitted';
  message: string;
}

/** undefined when allowed; otherwise why not, in words an operator can act on. */
export function checkPermission(
  action: ActionName,
  control: readonly Control[],
): Refusal | undefined {
  const need = REQUIRED_CONTROL[action];
  if (need === undefined || control.includes(need)) return undefined;
  const what =
    control.length === 0
      ? 'this agent is monitor-only'
      : `this agent is granted only ${control.map((c) => `'${c}'`).join(', ')}`;
  return {
    code: 'not_permitted',
    message: `${what}: its host config does not grant '${need}' control (see control in agent.json), so ${action} was refused`,
  };
}
