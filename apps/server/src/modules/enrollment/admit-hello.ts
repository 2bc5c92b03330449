import { CloseCode, type AgentHello } from '@keepwatch/shared';
import type { EnrollmentService } from './enrollment-service';
import { bindingMismatch, bindingOf, describeBinding } from './node-binding';
import { verifyAgentCredential, type VerifyOptions } from './verify-agent-credential';

export type HelloVerdict =
  | {
      ok: true;
      via: 'credential' | 'shared-token';
      /**
       * ID-5: records the binding (atomically, unless another credential took the node in
       * the meantime: then the refusal); call it once the hello passed every other check too.
       */
      bind?: () => Promise<{ code: number; reason: string } | undefined>;
    }
  | { ok: false; code: number; reason: string };

export interface AdmitOptions extends Omit<VerifyOptions, 'store'> {
  store: Pick<EnrollmentService, 'credential' | 'nodeHolder' | 'bindIfFree'>;
}

/**
 * Whether a hello may become the node it names: its credential (verifyAgentCredential), then
 * the node binding rules ID-1, ID-3 and ID-5 of node-binding.ts. ID-4 (a node another agent
 * is connected as) is the agent socket's registry's to check.
 */
export async function admitHello(
  opts: AdmitOptions,
  hello: Pick<AgentHello, 'agentId' | 'token' | 'node'>,
): Promise<HelloVerdict> {
  const cred = await verifyAgentCredential(opts, hello.agentId, hello.token);
  if (!cred.ok) return { ok: false, code: CloseCode.unauthorized, reason: cred.reason };
  const claimed = bindingOf(hello.node);
  if (cred.via === 'credential' && cred.binding) {
    const mismatch = bindingMismatch(cred.binding, hello.node);
    return mismatch
      ? { ok: false, code: CloseCode.identity, reason: mismatch }
      : { ok: true, via: 'credential' };
  }
  const holder = await opts.store.nodeHolder(claimed, hello.agentId);
  if (holder !== undefined) {
    return {
      ok: false,
      code: CloseCode.identity,
      reason: `node ${describeBinding(claimed)} is enrolled as agent ${holder}`,
    };
  }
  if (cred.via === 'shared-token') return { ok: true, via: 'shared-token' };
  const bind = async (): Promise<{ code: number; reason: string } | undefined> => {
    const r = await opts.store.bindIfFree(hello.agentId, claimed);
    if (r.outcome === 'node_taken')
      return {
        code: CloseCode.identity,
        reason: `node ${describeBinding(claimed)} is enrolled as agent ${r.holder}`,
      };
    return undefined;
  };
  return { ok: true, via: 'credential', bind };
}
