import { createHash, timingSafeEqual } from 'node:crypto';
import type { RawData } from 'ws';
import { CloseCode, type AgentHello, type AgentUpgradeCredential } from '@keepwatch/shared';
import type { HelloVerdict } from '../enrollment/admit-hello';
import type { AgentRegistry } from './agent-registry';
import { helloNameProblem } from './hello-names';

/*
 * Who may say hello on an agent socket: the credential (the upgrade's, then enrollment's or
 * the shared token), the node's names, and that no other agent is connected as this node.
 * Pure over its inputs; the connection acts on the verdict.
 */

export interface HelloAdmission {
  agentToken: string;
  /** modules/enrollment admitHello; without it (minimal test apps) only agentToken counts. */
  admit?: (hello: AgentHello) => Promise<HelloVerdict>;
  /** The agent credential the upgrade request proved (plugins/access-guard.ts). */
  upgrade?: AgentUpgradeCredential;
  registry: AgentRegistry;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/**
 * Credential, node binding, names, and that no other agent is connected as this node. The
 * credential is looked up (async); the connection claims the node right after nodeFree,
 * with no await in between.
 */
export async function admitHello(hello: AgentHello, a: HelloAdmission): Promise<HelloVerdict> {
  const { admit, upgrade } = a;
  if (upgrade && upgrade.agentId !== hello.agentId)
    return {
      ok: false,
      code: CloseCode.unauthorized,
      reason: `hello names agent ${hello.agentId}, the upgrade credential another one`,
    };
  if (upgrade && !sameSecret(upgrade.token, hello.token))
    return {
      ok: false,
      code: CloseCode.unauthorized,
      reason: 'hello carries another credential than the upgrade request',
    };
  const verdict: HelloVerdict = admit
    ? await admit(hello)
    : sameSecret(hello.token, a.agentToken)
      ? { ok: true, via: 'shared-token' }
      : { ok: false, code: CloseCode.unauthorized, reason: 'invalid agent token' };
  if (!verdict.ok) return verdict;
  const badName = helloNameProblem(hello);
  if (badName) return { ok: false, code: CloseCode.badFrame, reason: badName };
  return nodeFree(hello, a.registry) ?? verdict;
}

/** ID-4: the refusal if another agent is connected as this node (synchronous, see above). */
export function nodeFree(
  hello: AgentHello,
  registry: AgentRegistry,
): Extract<HelloVerdict, { ok: false }> | undefined {
  const holder = registry.nodeHeldBy(hello.node, hello.agentId);
  if (holder !== undefined)
    return {
      ok: false,
      code: CloseCode.identity,
      reason: `node ${hello.node.name} of cluster ${hello.node.cluster.id} is connected as agent ${holder}`,
    };
  return undefined;
}

/** The protocol a frame that failed to decode claims, if it is a hello (to say 4426, not 4400). */
export function helloProtocol(raw: RawData): number | undefined {
  try {
    const value = JSON.parse(
      Buffer.isBuffer(raw) ? raw.toString() : Buffer.from(raw as ArrayBuffer).toString(),
    ) as { type?: unknown; protocol?: unknown };
    return value.type === 'hello' && typeof value.protocol === 'number'
      ? value.protocol
      : undefined;
  } catch {
    return undefined;
  }
}
