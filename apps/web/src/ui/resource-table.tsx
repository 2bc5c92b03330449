import type { HTMLAttributes, ReactNode } from 'react';
import { Empty, ErrorState, Loading } from '../app/page-states';

/*
 * The list every management page draws (users, API tokens, agents, audit, channels): the
 * load error with a retry, the loading and empty states, then one table from a column list.
 * Pages give columns and rows; the states and the markup are this file's.
 */

export interface Column<T> {
  /** Header text; empty for an actions column. */
  head?: ReactNode;
  cell: (row: T) => ReactNode;
  className?: string;
}

export interface Loaded<T> {
  /** null while the first load is under way. */
  value: readonly T[] | null;
  error: string | null;
  reload?: () => void;
}

export function ResourceTable<T>({
  state,
  columns,
  rowKey,
  rowProps,
  empty,
  loadingText,
  testId,
  className,
}: {
  state: Loaded<T>;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string | number;
  /** Extra attributes per row: a class, data-* for tests. */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, unknown>;
  empty: ReactNode;
  loadingText?: string;
  testId?: string;
  className?: string;
}) {
  const { value, error, reload } = state;
  return (
    <>
      {error !== null && <ErrorState message={error} onRetry={reload} />}
      {value === null ? (
        error === null && <Loading text={loadingText} />
      ) : value.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <table className={`kw-table${className ? ` ${className}` : ''}`} data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={i} scope="col">
                  {c.head}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.map((row) => (
              <tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((c, i) => (
                  <td key={i} className={c.className}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** A management page: its heading (with actions beside it), a create form, a problem line. */
export function ListPage({
  id,
  title,
  actions,
  create,
  problem,
  children,
}: {
  /** Unique prefix for the heading's id. */
  id: string;
  title: ReactNode;
  actions?: ReactNode;
  create?: ReactNode;
  /** The last action's failure, shown until the next one. */
  problem?: string | null;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <h1 id={`${id}-title`}>{title}</h1>
        {actions}
      </div>
      {create}
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {children}
    </section>
  );
}
