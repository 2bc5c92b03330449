import { describe, expect, it } from 'vitest';
import { parseFifoLine } from './fifo-line-parser';

describe('parseFifoLine', () => {
  it('parses the lines captured in the lab', () => {
    expect(parseFifoLine('INSTANCE "VI_1" MASTER 100')).toEqual({
      type: 'INSTANCE',
      name: 'VI_1',
      state: 'MASTER',
      priority: 100,
    });
    expect(parseFifoLine('INSTANCE "VI_1" MASTER_PRIORITY 80\n')?.state).toBe('MASTER_PRIORITY');
    expect(parseFifoLine('INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100')?.state).toBe(
      'MASTER_RX_LOWER_PRI',
    );
    expect(parseFifoLine('GROUP "G1" BACKUP 0')).toMatchObject({
      type: 'GROUP',
      name: 'G1',
      priority: 0,
    });
  });
  it('keeps names with spaces', () => {
    expect(parseFifoLine('INSTANCE "web vip" STOP 90')?.name).toBe('web vip');
  });
  it('rejects LVS lines, unknown states, unquoted names and bad priorities', () => {
    expect(parseFifoLine('VS [10.0.0.1]:tcp:80 UP')).toBeUndefined();
    expect(parseFifoLine('INSTANCE "VI_1" SLEEPING 100')).toBeUndefined();
    expect(parseFifoLine('INSTANCE VI_1 MASTER 100')).toBeUndefined();
    expect(parseFifoLine('INSTANCE "VI_1" MASTER 300')).toBeUndefined();
    expect(parseFifoLine('')).toBeUndefined();
  });
});
