import type { NodeIdentity, NodeRole } from '@keepwatch/shared';

/*
 * What an enrolled credential is: one node (name + cluster id + role), fixed at enrollment.
 *
 *   ID-1  a hello with an enrolled credential must name exactly its bound node; else refused
 *         (4403) and nothing of it is recorded.
 *   ID-2  enrolling a node that a live (not revoked) credential already holds is refused (409):
 *         the admin revokes the old agent first, so a replacement is always a decision.
 *   ID-3  a hello with the shared lab token may not take a node an enrolled credential holds.
 *   ID-4  a hello may not take a node another agent is connected as (agents module registry).
 *   ID-5  credentials enrolled before bindings existed are bound by their first admitted hello
 *         (ID-2 and ID-3 still apply to it).
 * Only the node's display name of the cluster stays free: it is a label, not an identity.
 */

export interface NodeBinding {
  name: string;
  clusterId: string;
  role: NodeRole;
}

/** What `keepwatch-agent enroll` writes when the operator gives no --cluster. */
export const DEFAULT_CLUSTER_ID = 'default';
/** What `keepwatch-agent enroll` writes when the operator gives no --role. */
export const DEFAULT_ROLE: NodeRole = 'lb';

/** The node name `keepwatch-agent enroll` derives from the hostname: its first label. */
export function defaultNodeName(hostname: string): string {
  return hostname.split('.')[0] || hostname || 'agent';
}

export function bindingOf(node: NodeIdentity): NodeBinding {
  return { name: node.name, clusterId: node.cluster.id, role: node.role };
}

export function describeBinding(b: NodeBinding): string {
  return `${b.name} (${b.role}) of cluster ${b.clusterId}`;
}

/** Why `node` is not the bound node, or null when it is. */
export function bindingMismatch(bound: NodeBinding, node: NodeIdentity): string | null {
  const said = bindingOf(node);
  if (said.name === bound.name && said.clusterId === bound.clusterId && said.role === bound.role)
    return null;
  return `credential is enrolled as ${describeBinding(bound)}, hello says ${describeBinding(said)}`;
}
