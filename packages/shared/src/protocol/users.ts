import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

/* REST shapes of /api/v1/users, /api/v1/tokens (API tokens) and /api/v1/auth/password. */

/** Lowest to highest: each role may do everything the ones before it may. */
export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;
export const UserRole = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('operator'),
  Type.Literal('admin'),
]);
export type UserRole = Static<typeof UserRole>;

export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** Longest accepted password (the minimum is policy, checked by the server with a sentence). */
export const PASSWORD_MAX = 256;

const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });

export const User = Type.Object({
  username: Type.String(),
  role: UserRole,
  disabled: Type.Boolean(),
  createdAt: Type.Number(),
  updatedAt: Type.Union([Type.Number(), Type.Null()]),
});
export type User = Static<typeof User>;

export const UserList = Type.Array(User);
export type UserList = Static<typeof UserList>;

/** Body of POST /users. */
export const UserCreate = Strict({
  username: Type.String({ pattern: USERNAME_PATTERN }),
  password: Password,
  role: UserRole,
});
export type UserCreate = Static<typeof UserCreate>;

/** Body of PATCH /users/:username: at least one field. */
export const UserPatch = Type.Object(
  {
    role: Type.Optional(UserRole),
    password: Type.Optional(Password),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

export const UserParams = Strict({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export type UserParams = Static<typeof UserParams>;

/** Body of POST /auth/password. */
export const PasswordChange = Strict({
  current: Password,
  next: Password,
});
export type PasswordChange = Static<typeof PasswordChange>;

/** Body of POST /tokens. */
export const ApiTokenCreate = Strict({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  /** Default: the creator's role. May not exceed it. */
  role: Type.Optional(UserRole),
  /** Default: no expiry. */
  ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});
export type ApiTokenCreate = Static<typeof ApiTokenCreate>;

export const ApiTokenInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: UserRole,
  owner: Type.String(),
  createdAt: Type.Number(),
  expiresAt: Type.Union([Type.Number(), Type.Null()]),
  lastUsedAt: Type.Union([Type.Number(), Type.Null()]),
});
export type ApiTokenInfo = Static<typeof ApiTokenInfo>;

export const ApiTokenList = Type.Array(ApiTokenInfo);
export type ApiTokenList = Static<typeof ApiTokenList>;

/** Response of POST /tokens: the one time the secret is shown. */
export const ApiTokenCreated = Type.Composite([
  ApiTokenInfo,
  Type.Object({ token: Type.String({ description: 'shown once' }) }),
]);
export type ApiTokenCreated = Static<typeof ApiTokenCreated>;

export const ApiTokenIdParams = Strict({ id: Type.Integer({ minimum: 1 }) });
export type ApiTokenIdParams = Static<typeof ApiTokenIdParams>;
