import { Type, type Static } from '@sinclair/typebox';

/*
 * What replicas say of their agents on the change feed (`kw_agents`): the home announces
 * (replica-announcer.ts), the others follow (replica-follower.ts). Every notice is checked
 * against these schemas on arrival; a notice stays within the feed's 7,900 bytes.
 */

export const AGENTS_CHANNEL = 'kw_agents';
/** Agent ids per `seen` notice at most (the announcer also keeps each within SEEN_NOTICE_BYTES). */
export const SEEN_PER_NOTICE = 150;
/** A `seen` notice's JSON at most: under the change feed's 7,900 bytes (NOTIFY stops at 8,000). */
export const SEEN_NOTICE_BYTES = 7_000;
/** A clock offset beyond a day is no measurement: refused with the notice. */
const MAX_OFFSET_MS = 86_400_000;

/** What a home replica says of one of its agents, after the fact is stored. */
export const AgentNotice = Type.Union([
  Type.Object(
    { r: Type.String(), a: Type.String(), k: Type.Literal('hello'), t: Type.Number() },
    { additionalProperties: false },
  ),
  Type.Object(
    { r: Type.String(), a: Type.String(), k: Type.Literal('data'), s: Type.Integer() },
    { additionalProperties: false },
  ),
  Type.Object(
    { r: Type.String(), a: Type.String(), k: Type.Literal('offline'), t: Type.Number() },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      r: Type.String(),
      k: Type.Literal('seen'),
      t: Type.Number(),
      a: Type.Array(Type.String(), { maxItems: SEEN_PER_NOTICE }),
      /** Each agent's clock offset at its home (ms), aligned with `a`; null: not measured. */
      o: Type.Optional(
        Type.Array(
          Type.Union([
            Type.Integer({ minimum: -MAX_OFFSET_MS, maximum: MAX_OFFSET_MS }),
            Type.Null(),
          ]),
          { maxItems: SEEN_PER_NOTICE },
        ),
      ),
    },
    { additionalProperties: false },
  ),
]);
export type AgentNotice = Static<typeof AgentNotice>;

/** Entries per `batch` notice at most (the announcer also keeps each within SEEN_NOTICE_BYTES). */
export const BATCH_PER_NOTICE = 400;

/**
 * Many hello, data and offline notices of one home in one NOTIFY, in the order they were
 * said: a connect storm is thousands of them, and one NOTIFY each did not keep up (the
 * replicas bench: 86-132 notices/s, the other replica's view a minute late).
 */
export const BatchNotice = Type.Object(
  {
    r: Type.String(),
    k: Type.Literal('batch'),
    e: Type.Array(
      Type.Union([
        Type.Tuple([Type.Literal('hello'), Type.String(), Type.Number()]),
        Type.Tuple([Type.Literal('data'), Type.String(), Type.Integer()]),
        Type.Tuple([Type.Literal('offline'), Type.String(), Type.Number()]),
      ]),
      { minItems: 1, maxItems: BATCH_PER_NOTICE },
    ),
  },
  { additionalProperties: false },
);
export type BatchNotice = Static<typeof BatchNotice>;
export type BatchEntry = BatchNotice['e'][number];

/** The single notice a batch entry stands for. */
export function unbatched(r: string, [k, a, v]: BatchEntry): AgentNotice {
  return k === 'data' ? { r, a, k, s: v } : { r, a, k, t: v };
}
