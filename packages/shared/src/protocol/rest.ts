import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

export const LoginRequest = Strict({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
});
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({
  token: Type.String(),
  user: Type.Object({ username: Type.String(), role: Type.String() }),
  expiresAt: Type.Number(),
  /** Send as header x-keepwatch-csrf on cookie-authenticated POST/PUT/PATCH/DELETE. */
  csrfToken: Type.Optional(Type.String()),
});
export type LoginResponse = Static<typeof LoginResponse>;

export const MeResponse = Type.Object({
  username: Type.String(),
  role: Type.String(),
  /** Present for session credentials: the x-keepwatch-csrf value (also in cookie kw_csrf). */
  csrfToken: Type.Optional(Type.String()),
});
export type MeResponse = Static<typeof MeResponse>;

/** Every error response body from /api/v1. */
export const ApiError = Type.Object({
  error: Type.String({ description: 'machine-readable code' }),
  message: Type.String({ description: 'a sentence for humans' }),
});
export type ApiError = Static<typeof ApiError>;

/** Body of endpoints that only confirm (POST /api/v1/auth/logout). */
export const OkResponse = Type.Object({ ok: Type.Boolean() });
export type OkResponse = Static<typeof OkResponse>;
