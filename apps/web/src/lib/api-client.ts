import {
  AgentsResponse,
  AlertChannel,
  AlertChannelList,
  AlertDeliveryResult,
  AlertsResponse,
  ApiTokenCreated,
  ApiTokenList,
  AuditPage,
  AvailabilityResponse,
  HostInfo,
  MaintenanceList,
  MaintenanceWindow,
  ReadinessResponse,
  type MaintenanceCreate,
  EnrollmentTokenCreated,
  AgentDistTrust,
  HistorySeriesResponse,
  HistoryTimelineResponse,
  LoginResponse,
  MeResponse,
  OkResponse,
  StatusResponse,
  User,
  UserList,
  type AgentInfo,
  type AlertChannelInput,
  type ApiTokenCreate,
  type AuditQuery,
  type HistorySeriesQuery,
  type HistoryTimelineQuery,
  type LoginRequest,
  type PasswordChange,
  type UserCreate,
  type UserPatch,
} from '@keepwatch/shared';
import { configEndpoints } from '../features/config/config-endpoints';
import { drillEndpoints } from '../features/drills/drills-api';
import { createRequester, type Requester } from './api-request';

export { ApiRequestError, type ApiFailure } from './api-request';

/*
 * The one typed REST client: every call the dashboard makes, typed and checked with the
 * schemas of packages/shared. A feature that needs a new call adds one line here (and its
 * schema in packages/shared), never a fetch of its own. Cookies are same-origin; the token
 * in the login body is not stored (the HttpOnly cookie is the session, out of reach of
 * injected scripts).
 */

export interface ApiClientOptions {
  /** Called on a 401 from any request that needs a session (login itself excluded). */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
  base?: string;
}

const enc = encodeURIComponent;

function endpoints(request: Requester, remember: <T extends { csrfToken?: string }>(b: T) => T) {
  return {
    // A wrong password is the login form's business, not a reason to "go back to login".
    login: async (body: LoginRequest) =>
      remember(await request('POST', '/auth/login', LoginResponse, { body, authRedirect: false })),
    logout: () => request('POST', '/auth/logout', null, { authRedirect: false }),
    me: async () => remember(await request('GET', '/auth/me', MeResponse, { authRedirect: false })),
    changePassword: (body: PasswordChange) =>
      request('POST', '/auth/password', OkResponse, { body }),

    status: () => request('GET', '/status', StatusResponse),
    timeline: (query: HistoryTimelineQuery) =>
      request('GET', '/history/timeline', HistoryTimelineResponse, { query }),
    series: (query: HistorySeriesQuery) =>
      request('GET', '/history/series', HistorySeriesResponse, { query }),

    alerts: () => request('GET', '/alerts', AlertsResponse),
    /** Admin only: notification channels, secrets masked as "********". */
    alertChannels: () => request('GET', '/alerts/channels', AlertChannelList),
    createAlertChannel: (body: AlertChannelInput) =>
      request('POST', '/alerts/channels', AlertChannel, { body }),
    /** A "********" secret in `body` keeps the stored one. */
    updateAlertChannel: (id: number, body: AlertChannelInput) =>
      request('PUT', `/alerts/channels/${id}`, AlertChannel, { body }),
    deleteAlertChannel: (id: number) => request('DELETE', `/alerts/channels/${id}`, null),
    testAlertChannel: (id: number) =>
      request('POST', `/alerts/channels/${id}/test`, AlertDeliveryResult),

    agents: async (): Promise<AgentInfo[]> =>
      (await request('GET', '/agents', AgentsResponse)).agents,
    createEnrollmentToken: () =>
      request('POST', '/agents/enrollment-tokens', EnrollmentTokenCreated, {
        body: { note: 'dashboard' },
      }),
    revokeAgent: (agentId: string) => request('POST', `/agents/${enc(agentId)}/revoke`, OkResponse),
    /** The panel's own certificate for the install one-liner (admin). */
    agentDistTrust: () => request('GET', '/agent-dist/trust', AgentDistTrust),

    users: () => request('GET', '/users', UserList),
    createUser: (body: UserCreate) => request('POST', '/users', User, { body }),
    updateUser: (username: string, body: UserPatch) =>
      request('PATCH', `/users/${enc(username)}`, User, { body }),
    deleteUser: (username: string) => request('DELETE', `/users/${enc(username)}`, OkResponse),

    apiTokens: () => request('GET', '/tokens', ApiTokenList),
    createApiToken: (body: ApiTokenCreate) => request('POST', '/tokens', ApiTokenCreated, { body }),
    deleteApiToken: (id: number) => request('DELETE', `/tokens/${id}`, OkResponse),

    audit: (query: AuditQuery = {}) => request('GET', '/audit', AuditPage, { query }),

    ...drillEndpoints(request),
    host: (cluster: string, node: string) =>
      request('GET', `/hosts/${enc(cluster)}/${enc(node)}`, HostInfo),
    readiness: (cluster: string) =>
      request('GET', `/clusters/${enc(cluster)}/readiness`, ReadinessResponse),
    availability: (cluster: string) =>
      request('GET', `/clusters/${enc(cluster)}/availability`, AvailabilityResponse),

    maintenance: (cluster?: string) =>
      request('GET', '/maintenance', MaintenanceList, { query: { cluster } }),
    startMaintenance: (body: MaintenanceCreate) =>
      request('POST', '/maintenance', MaintenanceWindow, { body }),
    endMaintenance: (id: number) => request('POST', `/maintenance/${id}/end`, MaintenanceWindow),
    ...configEndpoints(request),
  };
}

export type ApiClient = ReturnType<typeof endpoints>;

export function createApiClient(opts: ApiClientOptions): ApiClient {
  let csrfToken: string | undefined;
  const request = createRequester({
    onUnauthorized: opts.onUnauthorized,
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    base: opts.base ?? '/api/v1',
    csrf: () => csrfToken,
  });
  const remember = <T extends { csrfToken?: string }>(body: T): T => {
    if (body.csrfToken !== undefined) csrfToken = body.csrfToken;
    return body;
  };
  return endpoints(request, remember);
}
