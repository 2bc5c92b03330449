import {
  Drill,
  DrillList,
  DrillPreflight,
  DrillProofList,
  DrillSchedule,
  DrillScheduleList,
  DrillStartResponse,
  type DrillScheduleInput,
  type DrillStartBody,
} from '@keepwatch/shared';
import type { Requester } from '../../lib/api-request';

/*
 * The drill calls of the one API client (spread into endpoints() of lib/api-client.ts), each
 * checked against its schema in packages/shared/src/protocol/drills.ts. The report exports
 * are plain links (reportHref): a GET with the session cookie, saved by the browser.
 */

const enc = encodeURIComponent;

export function drillEndpoints(request: Requester) {
  return {
    /** Nothing is applied: says whether the drill could run now, and why not. */
    drillPreflight: (body: DrillStartBody) =>
      request('POST', '/drills/preflight', DrillPreflight, { body }),
    startDrill: (body: DrillStartBody) => request('POST', '/drills', DrillStartResponse, { body }),
    drill: (id: string) => request('GET', `/drills/${enc(id)}`, Drill),
    abortDrill: (id: string) => request('POST', `/drills/${enc(id)}/abort`, Drill),
    /** A cluster's drills, newest first. */
    drills: (clusterId: string, limit = 50) =>
      request('GET', '/drills', DrillList, { query: { clusterId, limit } }),
    drillProof: () => request('GET', '/drills/proof', DrillProofList),
    drillSchedules: () => request('GET', '/drills/schedules', DrillScheduleList),
    createDrillSchedule: (body: DrillScheduleInput) =>
      request('POST', '/drills/schedules', DrillSchedule, { body }),
    deleteDrillSchedule: (id: number) => request('DELETE', `/drills/schedules/${id}`, null),
  };
}

export type ReportFormat = 'md' | 'html';

/** The report as a document in one language (the server renders it; the browser saves it). */
export function reportHref(
  id: string,
  format: ReportFormat,
  lang: string,
  base = '/api/v1',
): string {
  return `${base}/drills/${enc(id)}/report.${format}?lang=${enc(lang)}`;
}
