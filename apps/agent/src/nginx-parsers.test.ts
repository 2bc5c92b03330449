import { describe, expect, it } from 'vitest';
import { parseStubStatus } from './nginx-parsers';

describe('parseStubStatus', () => {
  it('parses the standard page', () => {
    const page =
      'Active connections: 2 \nserver accepts handled requests\n 12 11 30 \nReading: 0 Writing: 1 Waiting: 1 \n';
    expect(parseStubStatus(page)).toEqual({
      active: 2,
      accepts: 12,
      handled: 11,
      requests: 30,
      reading: 0,
      writing: 1,
      waiting: 1,
    });
  });

  it('refuses anything else', () => {
    expect(parseStubStatus('<html>404 Not Found</html>')).toBeUndefined();
  });
});
