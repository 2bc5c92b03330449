import { Type, type ObjectOptions, type TObject, type TProperties } from '@sinclair/typebox';

/*
 * What a peer sends us is closed: an object schema of an inbound message or REST request
 * refuses properties it does not name (`additionalProperties: false`), so a junk field can
 * neither be stored nor reach a handler that spreads the object. Use `Strict` for every new
 * inbound object; `openObjectPaths` (tests, and the server's route registration) finds any
 * that is not.
 */

/** `Type.Object` that refuses unknown properties. */
export function Strict<T extends TProperties>(
  properties: T,
  options: ObjectOptions = {},
): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** Highest `seq` a message may carry: beyond it JSON numbers stop being exact integers. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON-pointer-like paths of every object in `schema` that accepts unknown properties
 * (empty = closed everywhere). A map (`patternProperties`, e.g. HTTP headers) counts as
 * closed only with `maxProperties`.
 */
export function openObjectPaths(schema: unknown, path = ''): string[] {
  if (!isRecord(schema)) return [];
  const out: string[] = [];
  const isObject = schema['type'] === 'object' || isRecord(schema['properties']);
  if (isObject) {
    const closed =
      schema['additionalProperties'] === false &&
      (!isRecord(schema['patternProperties']) || typeof schema['maxProperties'] === 'number');
    if (!closed) out.push(path || '/');
  }
  for (const key of ['properties', 'patternProperties'] as const) {
    const props = schema[key];
    if (isRecord(props))
      for (const [name, sub] of Object.entries(props))
        out.push(...openObjectPaths(sub, `${path}/${name}`));
  }
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members))
      members.forEach((m, i) => out.push(...openObjectPaths(m, `${path}(${key}[${i}])`)));
  }
  const items = schema['items'];
  if (Array.isArray(items))
    items.forEach((m, i) => out.push(...openObjectPaths(m, `${path}/${i}`)));
  else if (items !== undefined) out.push(...openObjectPaths(items, `${path}/*`));
  return out;
}
