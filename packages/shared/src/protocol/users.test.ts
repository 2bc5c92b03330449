import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { USER_ROLES, UserRole } from './users';

describe('UserRole', () => {
  it('accepts exactly the roles in USER_ROLES (the server ranks roles by that list)', () => {
    const literals = UserRole.anyOf.map((s) => s.const);
    expect(literals).toEqual([...USER_ROLES]);
    expect(Value.Check(UserRole, 'root')).toBe(false);
  });
});
