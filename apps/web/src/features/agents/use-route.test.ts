import { describe, expect, it } from 'vitest';
import { viewFromHash } from './use-route';

describe('viewFromHash', () => {
  it('maps #/agents to the agents view and anything else to clusters', () => {
    expect(viewFromHash('#/agents')).toBe('agents');
    expect(viewFromHash('#agents')).toBe('agents');
    expect(viewFromHash('')).toBe('clusters');
    expect(viewFromHash('#/')).toBe('clusters');
    expect(viewFromHash('#/agentsx')).toBe('clusters');
    expect(viewFromHash('#/alerts')).toBe('alerts');
  });
});
