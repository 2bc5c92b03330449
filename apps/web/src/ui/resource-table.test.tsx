import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { dictionaries } from '../i18n/dictionary';
import { createFormat } from '../i18n/format';
import type { I18n } from '../i18n/i18n-context';
import { ResourceTable, type Column } from './resource-table';

vi.mock('../i18n/i18n-context', () => ({
  useI18n: (): I18n => ({
    lang: 'en',
    t: dictionaries.en,
    fmt: createFormat('en', dictionaries.en),
    setLang: () => undefined,
  }),
}));

interface Row {
  id: number;
  name: string;
}
const columns: Column<Row>[] = [
  { head: 'Name', cell: (r) => r.name, className: 'mono' },
  { cell: (r) => <button type="button">drop {r.id}</button> },
];
const render = (value: Row[] | null, error: string | null = null): string =>
  renderToStaticMarkup(
    <ResourceTable
      state={{ value, error, reload: () => undefined }}
      columns={columns}
      rowKey={(r) => r.id}
      rowProps={(r) => ({ 'data-row': r.name })}
      empty="nothing yet"
      testId="t"
    />,
  );

describe('ResourceTable: the states and the table of every management page', () => {
  it('shows loading before the first answer, and no table', () => {
    const html = render(null);
    expect(html).toContain('role="status"');
    expect(html).not.toContain('<table');
  });
  it('shows the load error with a retry instead of a spinner', () => {
    const html = render(null, 'HTTP 500');
    expect(html).toContain('Could not load: HTTP 500');
    expect(html).toContain(dictionaries.en.shell.retry);
    expect(html).not.toContain('role="status"');
  });
  it('says so when the list is empty', () => {
    expect(render([])).toContain('nothing yet');
  });
  it('draws one row per item, one cell per column, with the row attributes', () => {
    const html = render([
      { id: 1, name: 'a<b' },
      { id: 2, name: 'c' },
    ]);
    expect(html.match(/<tr data-row=/g)).toHaveLength(2);
    expect(html).toContain('<th scope="col">Name</th><th scope="col"></th>');
    expect(html).toContain('<td class="mono">a&lt;b</td>');
    expect(html).toContain('drop 2');
  });
});
