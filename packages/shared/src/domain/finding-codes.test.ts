import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from './finding-codes';

describe('finding codes', () => {
  it('list exactly the rule IDs of the SPEC.md rules table', () => {
    const spec = readFileSync(new URL('./SPEC.md', import.meta.url), 'utf8');
    const table = spec.slice(spec.indexOf('## Rules'), spec.indexOf('### Time and configuration'));
    const ids = [...table.matchAll(/^\| ([A-Z]{2}-\d) +\|/gm)].map((m) => m[1]);
    expect([...FINDING_CODES].sort()).toEqual([...new Set(ids)].sort());
  });
});
