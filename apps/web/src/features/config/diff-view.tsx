import { useMemo } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import { diffStats, sideBySide, type DiffRow } from './side-diff';

/** One file side by side: old on the left, new on the right, unchanged stretches folded. */
export function DiffView(props: {
  title: string;
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const rows = useMemo(() => sideBySide(props.before, props.after), [props.before, props.after]);
  const stats = useMemo(() => diffStats(props.before, props.after), [props.before, props.after]);
  return (
    <section className="diff-file" data-testid={props.testId} aria-label={props.title}>
      <header className="diff-head">
        <span className="mono">{props.title}</span>
        <span className="diff-stats">
          <span className="diff-add-n">+{stats.added}</span>{' '}
          <span className="diff-del-n">−{stats.removed}</span>
        </span>
      </header>
      <div className="diff-scroll">
        <table className="diff-table mono">
          <colgroup>
            <col className="diff-col-n" />
            <col />
            <col className="diff-col-n" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th colSpan={2} scope="colgroup">
                {props.beforeLabel}
              </th>
              <th colSpan={2} scope="colgroup">
                {props.afterLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <Row key={i} row={row} hidden={t.config.review.hidden} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Row({ row, hidden }: { row: DiffRow; hidden: (n: number) => string }) {
  if (row.kind === 'gap')
    return (
      <tr className="diff-gap">
        <td colSpan={4}>{hidden(row.hidden)}</td>
      </tr>
    );
  const left = row.kind === 'added' ? null : row.left;
  const right = row.kind === 'removed' ? null : row.right;
  const leftClass = row.kind === 'changed' || row.kind === 'removed' ? 'diff-del' : '';
  const rightClass = row.kind === 'changed' || row.kind === 'added' ? 'diff-add' : '';
  return (
    <tr data-kind={row.kind}>
      <td className="diff-n">{left?.n ?? ''}</td>
      <td className={`diff-text ${leftClass}`}>
        {left && (leftClass ? <del>{left.text}</del> : left.text)}
      </td>
      <td className="diff-n">{right?.n ?? ''}</td>
      <td className={`diff-text ${rightClass}`}>
        {right && (rightClass ? <ins>{right.text}</ins> : right.text)}
      </td>
    </tr>
  );
}
