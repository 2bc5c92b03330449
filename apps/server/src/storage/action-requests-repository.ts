/*
 * Actions routed to an agent's home replica (modules/actions/action-routing.ts, actions SPEC
 * RA-1..RA-4): the request as the asking replica (origin) stored it for the home to take.
 * `take` is the once: of any number of takers (a notice delivered twice, a replica restarted)
 * one gets the request, and none after its deadline, so an action the asker gave up on is
 * never run late. sql-action-requests.ts implements it over both drivers;
 * action-requests.contract.test.ts runs it on SQLite and a real PostgreSQL.
 */

export interface RoutedActionRequest {
  /** The action.request id (the asker's correlation id). */
  id: string;
  agentId: string;
  /** The replica that asked (where the result is awaited). */
  origin: string;
  /** The agent's home replica when asked (the one that may take it). */
  home: string;
  /** The action.request message, JSON. */
  request: string;
  createdAt: number;
  /** The asker's timeout: not taken at or after it. */
  deadline: number;
}

export interface ActionRequestsRepository {
  put(r: RoutedActionRequest): Promise<void>;
  /**
   * Takes the request for `home` at `at`: once, only by its home, only before its deadline.
   * Undefined when it is unknown, someone else's, taken already or past its deadline.
   */
  take(id: string, home: string, at: number): Promise<RoutedActionRequest | undefined>;
  /** Deletes requests made before `before`; how many. */
  prune(before: number): Promise<number>;
}
