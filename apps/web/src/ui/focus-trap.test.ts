import { describe, expect, it } from 'vitest';
import { nextTrapped } from './focus-trap';

describe('nextTrapped: Tab stays inside a dialog', () => {
  const list = ['a', 'b', 'c'];
  it('wraps forward from the last and backward from the first', () => {
    expect(nextTrapped(list, 'c', false)).toBe('a');
    expect(nextTrapped(list, 'a', true)).toBe('c');
  });
  it('leaves the browser its own step inside the list', () => {
    expect(nextTrapped(list, 'a', false)).toBeNull();
    expect(nextTrapped(list, 'b', true)).toBeNull();
  });
  it('brings focus from outside to the edge it enters by', () => {
    expect(nextTrapped(list, 'x', false)).toBe('a');
    expect(nextTrapped(list, 'x', true)).toBe('c');
  });
  it('has nothing to do in an empty dialog', () => {
    expect(nextTrapped([], 'x', false)).toBeNull();
  });
});
