/** A push refused before any agent is asked: the HTTP status, the error code, the reason. */
export class PushRefused extends Error {
  constructor(
    readonly status: 404 | 409 | 400,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
