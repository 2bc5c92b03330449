import { useId, useState, type ReactNode } from 'react';

/*
 * Form fields that hold the text being typed and hand the model only values that parse:
 * a half-typed "10.77.0." stays in the field (marked invalid) instead of breaking the model.
 * When the model changes from elsewhere (the editor, a revert), the field follows it.
 */

export function ParsedField<T>(props: {
  label: string;
  value: T;
  format: (v: T) => string;
  parse: (text: string) => T | null;
  onCommit: (v: T) => void;
  readOnly: boolean;
  invalidText: string;
  testId?: string;
  width?: 'narrow' | 'wide';
  trailing?: ReactNode;
}) {
  const id = useId();
  const shown = props.format(props.value);
  const [text, setText] = useState(shown);
  const [seen, setSeen] = useState(shown);
  // The model moved on without this field: show its value (unless the text already means it).
  if (shown !== seen) {
    setSeen(shown);
    const parsed = props.parse(text);
    if (parsed === null || props.format(parsed) !== shown) setText(shown);
  }
  const invalid = props.parse(text) === null;
  return (
    <div className={`field field-${props.width ?? 'narrow'}`}>
      <label htmlFor={id}>{props.label}</label>
      <span className="field-row">
        <input
          id={id}
          data-testid={props.testId}
          value={text}
          readOnly={props.readOnly}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-err` : undefined}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            const v = props.parse(e.target.value);
            if (v !== null && props.format(v) !== shown) props.onCommit(v);
          }}
        />
        {props.trailing}
      </span>
      {invalid && (
        <span id={`${id}-err`} className="field-error" role="alert">
          {props.invalidText}
        </span>
      )}
    </div>
  );
}

/** A text box and an Add button; the text is cleared once it parses and is added. */
export function AddField<T>(props: {
  label: string;
  placeholder: string;
  parse: (text: string) => T | null;
  onAdd: (v: T) => void;
  invalidText: string;
  testId?: string;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [tried, setTried] = useState(false);
  const add = (): void => {
    const v = props.parse(text);
    setTried(true);
    if (v === null) return;
    props.onAdd(v);
    setText('');
    setTried(false);
  };
  const invalid = tried && props.parse(text) === null;
  return (
    <span className="field-row add-field">
      <input
        id={id}
        aria-label={props.label}
        placeholder={props.placeholder}
        data-testid={props.testId}
        value={text}
        aria-invalid={invalid}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
      />
      <button type="button" className="ghost" onClick={add}>
        {props.label}
      </button>
      {invalid && (
        <span className="field-error" role="alert">
          {props.invalidText}
        </span>
      )}
    </span>
  );
}
