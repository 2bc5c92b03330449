import type { ActionResult } from '@keepwatch/shared';
import type { ExecFn, ExecOptions, ExecResult } from '../exec';

/* The per-step record of an action: what ran, its exit code, duration and trimmed output. */

export type Step = ActionResult['steps'][number];

const MAX_OUTPUT = 2000;
const MAX_STEPS = 64;

export function trimOutput(s: string): string {
  const t = s.trim();
  return t.length <= MAX_OUTPUT
    ? t
    : `${t.slice(0, MAX_OUTPUT / 2)}\n…\n${t.slice(-MAX_OUTPUT / 2)}`;
}

export function describeExec(r: ExecResult): string {
  return trimOutput(
    [r.stdout, r.stderr, r.error ? `(${r.error})` : ''].filter((s) => s.trim() !== '').join('\n'),
  );
}

export class Steps {
  readonly list: Step[] = [];
  constructor(private readonly exec: ExecFn) {}

  add(step: Step): Step {
    if (this.list.length < MAX_STEPS) this.list.push({ ...step, step: step.step.slice(0, 64) });
    return step;
  }

  /** A step that is not a command (a file write, a check). */
  async task(step: string, fn: () => Promise<string | void>): Promise<Step> {
    const at = Date.now();
    const t0 = performance.now();
    try {
      const out = await fn();
      return this.add({
        step,
        ok: true,
        at,
        durationMs: ms(t0),
        ...(out ? { output: trimOutput(out) } : {}),
      });
    } catch (err) {
      return this.add({
        step,
        ok: false,
        at,
        durationMs: ms(t0),
        output: trimOutput((err as Error).message),
      });
    }
  }

  /** Runs argv; ok means exit code 0 (or `okCodes`). */
  async run(
    step: string,
    argv: readonly string[],
    opts: ExecOptions & { okCodes?: number[] } = {},
  ): Promise<Step & { result: ExecResult }> {
    const at = Date.now();
    const result = await this.exec(argv, { timeoutMs: 15_000, ...opts });
    const ok =
      result.error === undefined &&
      result.code !== null &&
      (opts.okCodes ?? [0]).includes(result.code);
    const s = this.add({
      step,
      ok,
      argv: argv.map((a) => a.slice(0, 1024)),
      code: result.code,
      at,
      durationMs: Math.round(result.durationMs),
      output: describeExec(result),
    });
    return { ...s, result };
  }
}

function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}
