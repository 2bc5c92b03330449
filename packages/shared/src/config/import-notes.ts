import { Type, type Static } from '@sinclair/typebox';
import { ConfigComponentName, LocalText } from './findings';

/*
 * What an import could not represent, so nothing is dropped silently: `kept` statements
 * stay in the model's `extra` lines (written back as they were, not editable in the form);
 * the others are not in the model and would be lost by a push rendered from it.
 */

export const ImportNote = Type.Object({
  node: Type.String({ maxLength: 128 }),
  component: ConfigComponentName,
  file: Type.Optional(Type.String({ maxLength: 1024 })),
  line: Type.Optional(Type.Integer({ minimum: 1 })),
  /** true: kept as written in an `extra` line; false: not in the model. */
  kept: Type.Boolean(),
  message: LocalText,
});
export type ImportNote = Static<typeof ImportNote>;

export interface NoteSink {
  kept(at: { line: number; file?: string }, en: string, zh: string): void;
  lost(at: { line?: number; file?: string }, en: string, zh: string): void;
}

/** A sink that adds notes for one host and component to `notes`. */
export function noteSink(
  notes: ImportNote[],
  node: string,
  component: ImportNote['component'],
): NoteSink {
  const add = (kept: boolean, at: { line?: number; file?: string }, en: string, zh: string) =>
    notes.push({
      node,
      component,
      ...(at.file !== undefined && { file: at.file }),
      ...(at.line !== undefined && { line: at.line }),
      kept,
      message: { en, 'zh-CN': zh },
    });
  return {
    kept: (at, en, zh) => add(true, at, en, zh),
    lost: (at, en, zh) => add(false, at, en, zh),
  };
}
