import { Type, TypeGuard, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { AgentToServer, ServerToAgent } from './agent-messages';
import { LiveFromBrowser, LiveToBrowser } from './live-messages';
import { AgentConfig } from './agent-config';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_FRAME_BYTES = 1024 * 1024;

/** A compiled validator that turns a raw frame into a typed message or a readable reason. */
export interface Codec<S extends TSchema> {
  decode(raw: string | Buffer | ArrayBuffer | Buffer[]): DecodeResult<Static<S>>;
  check(value: unknown): DecodeResult<Static<S>>;
  encode(value: Static<S>): string;
}

function rawToString(raw: string | Buffer | ArrayBuffer | Buffer[]): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

/** Describes the first schema error as "path: message" for logs and close reasons. */
export function describeErrors(check: TypeCheck<TSchema>, value: unknown): string {
  const first = check.Errors(value).First();
  if (!first) return 'invalid message';
  const type =
    typeof value === 'object' && value !== null && 'type' in value
      ? ` (type ${JSON.stringify(value.type).slice(0, 40)})`
      : '';
  return `schema violation${type} at ${first.path || '/'}: ${first.message}`;
}

/**
 * For a union discriminated on `type`: one compiled validator per type (members sharing a
 * type, like the actions of `action.request`, are checked as a union of their own).
 */
function discriminatedMembers(schema: TSchema): Map<string, TypeCheck<TSchema>> | undefined {
  if (!TypeGuard.IsUnion(schema)) return undefined;
  const groups = new Map<string, TSchema[]>();
  for (const member of schema.anyOf) {
    const literal: unknown = TypeGuard.IsObject(member) ? member.properties['type'] : undefined;
    if (!TypeGuard.IsLiteralString(literal)) return undefined;
    groups.set(literal.const, [...(groups.get(literal.const) ?? []), member]);
  }
  const byType = new Map<string, TypeCheck<TSchema>>();
  for (const [type, members] of groups) {
    const [only] = members;
    byType.set(
      type,
      TypeCompiler.Compile(members.length === 1 && only ? only : Type.Union(members)),
    );
  }
  return byType;
}

export function createCodec<S extends TSchema>(schema: S): Codec<S> {
  // Compiled on first use, not at import: generated validators cost memory (the agent's RSS
  // target), a process may never use some codecs, and per-type ones serve only errors.
  let compiled: TypeCheck<S> | undefined;
  let members: Map<string, TypeCheck<TSchema>> | null | undefined;
  const check = (value: unknown): DecodeResult<Static<S>> => {
    compiled ??= TypeCompiler.Compile(schema);
    if (compiled.Check(value)) return { ok: true, value: value };
    if (members === undefined) members = discriminatedMembers(schema) ?? null;
    if (members) {
      const type =
        typeof value === 'object' && value !== null
          ? (value as { type?: unknown }).type
          : undefined;
      const member = typeof type === 'string' ? members.get(type) : undefined;
      if (!member) {
        const known = [...members.keys()].join(', ');
        return {
          ok: false,
          error: `unknown message type ${JSON.stringify(type ?? null)}; expected one of ${known}`,
        };
      }
      return { ok: false, error: describeErrors(member, value) };
    }
    return { ok: false, error: describeErrors(compiled, value) };
  };
  return {
    check,
    decode(raw) {
      const text = rawToString(raw);
      if (text.length > MAX_FRAME_BYTES) return { ok: false, error: 'frame too large' };
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { ok: false, error: 'frame is not valid JSON' };
      }
      return check(parsed);
    },
    encode: (value) => JSON.stringify(value),
  };
}

export const agentToServerCodec = createCodec(AgentToServer);
export const serverToAgentCodec = createCodec(ServerToAgent);
export const liveToBrowserCodec = createCodec(LiveToBrowser);
export const liveFromBrowserCodec = createCodec(LiveFromBrowser);

/** Parses an agent config object, filling defaults, or explains what is wrong. */
export function parseAgentConfig(input: unknown): DecodeResult<Static<typeof AgentConfig>> {
  const withDefaults = Value.Default(AgentConfig, structuredClone(input));
  return agentConfigCodec.check(withDefaults);
}
const agentConfigCodec = createCodec(AgentConfig);
