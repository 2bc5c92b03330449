import { describe, expect, it } from 'vitest';
import { auditQuery, filtersFromQuery, queryOf, toLocalInput } from './audit-filters';

describe('audit filters', () => {
  it('round-trip through the hash query and become the server query', () => {
    const at = new Date(2026, 11, 2, 6, 30).getTime();
    const f = { user: ' alice ', action: 'user.', from: toLocalInput(at), to: '' };
    const q = queryOf(f);
    expect(q).toBe(`user=alice&action=user.&from=${at}`);
    expect(filtersFromQuery(new URLSearchParams(q))).toEqual({
      user: 'alice',
      action: 'user.',
      from: toLocalInput(at),
      to: '',
    });
    expect(auditQuery(f, 200, 17)).toEqual({
      limit: 200,
      before: 17,
      actor: 'alice',
      action: 'user.',
      from: at,
    });
  });
  it('empty filters ask for everything', () => {
    expect(auditQuery({ user: '', action: '', from: '', to: '' }, 50)).toEqual({ limit: 50 });
    expect(queryOf({ user: '', action: '', from: 'junk', to: '' })).toBe('');
  });
});
