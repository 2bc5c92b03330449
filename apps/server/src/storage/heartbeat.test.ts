import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock';
import { DeadlineError, Heartbeat, within } from './heartbeat';

/*
 * The heartbeat on a manual clock: a beat every `everyMs`, the next only after an answer;
 * no answer within `timeoutMs`, or a failed beat, is reported once and ends the beats.
 */

const EVERY = 1_000;
const TIMEOUT = 300;
/** Lets promise callbacks already due run (one turn of the event loop, no time passes). */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup() {
  const clock = new ManualClock();
  const answers: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const dead: Error[] = [];
  const hb = new Heartbeat({
    clock,
    everyMs: EVERY,
    timeoutMs: TIMEOUT,
    beat: () => new Promise<void>((resolve, reject) => answers.push({ resolve, reject })),
    onDead: (err) => dead.push(err),
  });
  return { clock, answers, dead, hb };
}

describe('Heartbeat', () => {
  it('beats every everyMs while answered, never before', async () => {
    const { clock, answers, dead, hb } = setup();
    hb.start();
    clock.advance(EVERY - 1);
    expect(answers).toHaveLength(0);
    for (let n = 1; n <= 3; n++) {
      clock.advance(n === 1 ? 1 : EVERY);
      expect(answers).toHaveLength(n);
      clock.advance(TIMEOUT - 1); // answered just in time
      answers[n - 1]?.resolve();
      await clock.until(`beat ${n} answered: the next scheduled`, () =>
        clock.pending().includes(EVERY),
      );
    }
    expect(dead).toEqual([]);
  });

  it('no answer within timeoutMs: dead once, no more beats', async () => {
    const { clock, answers, dead, hb } = setup();
    hb.start();
    clock.advance(EVERY);
    clock.advance(TIMEOUT - 1);
    await flush();
    expect(dead).toEqual([]);
    clock.advance(1);
    await flush();
    expect(dead.map((e) => e.message)).toEqual([`heartbeat: no answer within ${TIMEOUT} ms`]);
    answers[0]?.resolve(); // a late answer changes nothing
    await flush();
    clock.advance(10 * EVERY);
    expect(answers).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(clock.pending()).toEqual([]);
  });

  it('a failed beat: dead with its error', async () => {
    const { clock, answers, dead, hb } = setup();
    hb.start();
    clock.advance(EVERY);
    answers[0]?.reject(new Error('Connection terminated'));
    await flush();
    expect(dead.map((e) => e.message)).toEqual(['Connection terminated']);
    expect(clock.pending()).toEqual([]);
  });

  it('stop(): no beat after it', () => {
    const { clock, answers, hb } = setup();
    hb.start();
    hb.stop();
    clock.advance(10 * EVERY);
    expect(answers).toHaveLength(0);
  });

  it('within(): the value, or a DeadlineError once the time passed', async () => {
    const clock = new ManualClock();
    await expect(within(clock, 100, 'x', Promise.resolve(7))).resolves.toBe(7);
    const never = within(clock, 100, 'connect', new Promise(() => undefined));
    clock.advance(100);
    await expect(never).rejects.toThrow(DeadlineError);
    await expect(never).rejects.toThrow('connect: no answer within 100 ms');
  });
});
