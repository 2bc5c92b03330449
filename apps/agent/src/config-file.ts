import { readFile } from 'node:fs/promises';
import { parseAgentConfig, type AgentConfig } from '@keepwatch/shared';

/** Reads and validates the agent's JSON config; throws an Error whose message says what is wrong. */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const r = parseAgentConfig(raw);
  if (!r.ok) throw new Error(`config file ${path} is invalid: ${r.error}`);
  return r.value;
}
