/**
 * Every rule ID a finding's `code` can carry (SPEC.md). Clients that word findings in their
 * own language keep one text per code; finding-codes.test.ts checks this list against SPEC.md.
 */
export const FINDING_CODES = [
  'SB-1',
  'SB-2',
  'VU-1',
  'VU-2',
  'NM-1',
  'ST-1',
  'ST-2',
  'MN-1',
  'NF-1',
  'AO-1',
  'SD-1',
  'SD-2',
  'SD-3',
  'BD-1',
  'CS-1',
  'SA-1',
  'FL-1',
  'KM-1',
  'WT-1',
  'CM-1',
  'CM-2',
  'CM-3',
  'CM-4',
  'ND-1',
  'ND-2',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export function isFindingCode(code: string | undefined): code is FindingCode {
  return code !== undefined && (FINDING_CODES as readonly string[]).includes(code);
}
