import { Type, type Static } from '@sinclair/typebox';

/*
 * What configuration analysis says about a set of files: one finding per problem, each
 * explained in both dashboard languages with the fix. Findings are data (this schema), so
 * the server returns them as they are and the page shows the reader's language.
 */

export const LocalText = Type.Object({
  en: Type.String({ maxLength: 2048 }),
  'zh-CN': Type.String({ maxLength: 2048 }),
});
export type LocalText = Static<typeof LocalText>;

export const ConfigComponentName = Type.Union([Type.Literal('keepalived'), Type.Literal('nginx')]);

/** Where a finding points: a host's file, and the line when one line is to blame. */
export const FindingLocation = Type.Object({
  node: Type.String({ maxLength: 128 }),
  component: ConfigComponentName,
  file: Type.Optional(Type.String({ maxLength: 1024 })),
  line: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type FindingLocation = Static<typeof FindingLocation>;

export const ConfigFinding = Type.Object({
  /** Rule id (config/ANALYSIS.md), e.g. `CM-1`. */
  id: Type.String({ maxLength: 16 }),
  /** Rule family, e.g. `CONFIG_MISMATCH`. */
  rule: Type.String({ maxLength: 64 }),
  severity: Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
  nodes: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 }),
  instance: Type.Optional(Type.String({ maxLength: 128 })),
  at: Type.Array(FindingLocation, { maxItems: 64 }),
  message: LocalText,
  fix: LocalText,
});
export type ConfigFinding = Static<typeof ConfigFinding>;

export type FindingSeverity = ConfigFinding['severity'];

const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Critical first, then by rule id and English message: stable for tests and diffs. */
export function sortFindings(findings: ConfigFinding[]): ConfigFinding[] {
  const key = (f: ConfigFinding): string => `${SEVERITY_RANK[f.severity]}|${f.id}|${f.message.en}`;
  return [...findings].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** "lb1", "lb1 and lb2", "lb1, lb2 and lb3" / "lb1、lb2 和 lb3". */
export function listNames(names: readonly string[], lang: keyof LocalText = 'en'): string {
  if (names.length <= 1) return names.join('');
  const [sep, and] = lang === 'en' ? [', ', ' and '] : ['、', ' 和 '];
  return `${names.slice(0, -1).join(sep)}${and}${names[names.length - 1] ?? ''}`;
}

export interface FindingDraft extends Omit<ConfigFinding, 'message' | 'fix'> {
  en: string;
  zh: string;
  fixEn: string;
  fixZh: string;
}

/** A finding from its two-language texts. */
export function makeFinding(d: FindingDraft): ConfigFinding {
  const { en, zh, fixEn, fixZh, ...rest } = d;
  return { ...rest, message: { en, 'zh-CN': zh }, fix: { en: fixEn, 'zh-CN': fixZh } };
}
