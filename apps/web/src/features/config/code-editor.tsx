import { useEffect, useLayoutEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  HighlightStyle,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import { nginx } from '@codemirror/legacy-modes/mode/nginx';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import type { ConfigComponent, EditorDiagnostic } from './config-draft';
import { keepalivedLanguage } from './keepalived-language';

/*
 * The file editor: CodeMirror 6 with nginx (legacy mode) or keepalived highlighting and the
 * analysis findings as lint diagnostics. This module is the only one importing CodeMirror
 * and is loaded lazily (config-page.tsx), so the editor stays out of the initial bundle.
 * Colours are CSS variables (config.css), so the dark and light themes both apply.
 * Tab indents; Escape then Tab leaves the editor (CodeMirror's accessible tab handling).
 */

const nginxLanguage = StreamLanguage.define(nginx);

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--cm-keyword)', fontWeight: '600' },
  { tag: [tags.propertyName, tags.variableName], color: 'var(--cm-property)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--cm-string)' },
  { tag: tags.number, color: 'var(--cm-number)' },
  { tag: [tags.atom, tags.bool], color: 'var(--cm-atom)' },
  { tag: tags.comment, color: 'var(--cm-comment)', fontStyle: 'italic' },
  { tag: tags.meta, color: 'var(--cm-meta)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--card)', color: 'var(--text)' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-gutters': {
    backgroundColor: 'var(--bg)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--line)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace' },
  '.cm-tooltip': {
    backgroundColor: 'var(--card)',
    color: 'var(--text)',
    border: '1px solid var(--line)',
  },
  '.cm-diagnostic': { whiteSpace: 'pre-wrap', maxWidth: '60ch' },
});

export interface CodeEditorProps {
  /** Changes of `docKey` replace the document (another file); `value` alone does not. */
  docKey: string;
  value: string;
  onChange: (text: string) => void;
  component: ConfigComponent;
  diagnostics: readonly EditorDiagnostic[];
  readOnly: boolean;
  label: string;
  /** Move the cursor to this line and focus the editor (a new `seq` each time). */
  reveal?: { line: number; seq: number } | null;
}

export default function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  const readOnly = useRef(new Compartment());
  const language = useRef(new Compartment());
  useLayoutEffect(() => {
    onChange.current = props.onChange;
  });

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          lintGutter(),
          syntaxHighlighting(highlight),
          language.current.of(props.component === 'nginx' ? nginxLanguage : keepalivedLanguage),
          readOnly.current.of(EditorState.readOnly.of(props.readOnly)),
          keymap.of([
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
            ...lintKeymap,
            indentWithTab,
          ]),
          theme,
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; the effects below keep it in step with the props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Another file, or the draft replaced from outside (form render, revert): new document.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== props.value)
      v.dispatch({ changes: { from: 0, to: current.length, insert: props.value } });
  }, [props.docKey, props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(
        props.component === 'nginx' ? nginxLanguage : keepalivedLanguage,
      ),
    });
  }, [props.component]);

  useEffect(() => {
    view.current?.dispatch({
      effects: readOnly.current.reconfigure(EditorState.readOnly.of(props.readOnly)),
    });
  }, [props.readOnly]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    // Diagnostics are computed from the draft text; clamp in case the doc moved on since.
    const diags = props.diagnostics.map((d) => ({
      from: Math.min(d.from, len),
      to: Math.min(d.to, len),
      severity: d.severity,
      message: d.message,
      source: d.source,
    }));
    v.dispatch(setDiagnostics(v.state, diags));
  }, [props.diagnostics]);

  const reveal = props.reveal;
  useEffect(() => {
    const v = view.current;
    if (!v || !reveal) return;
    const line = v.state.doc.line(Math.min(Math.max(1, reveal.line), v.state.doc.lines));
    v.dispatch({
      selection: { anchor: line.from, head: line.to },
      effects: EditorView.scrollIntoView(line.from, { y: 'center' }),
    });
    v.focus();
  }, [reveal]);

  return <div className="cm-host" ref={host} data-testid="code-editor" />;
}
