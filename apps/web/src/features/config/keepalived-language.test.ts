import { StringStream } from '@codemirror/language';
import { describe, expect, it } from 'vitest';
import { keepalivedToken, type KeepalivedState } from './keepalived-language';

/** [text, style] of every token of the given lines, state carried across lines. */
function tokens(...lines: string[]): [string, string | null][] {
  const state: KeepalivedState = { lineStart: true };
  const out: [string, string | null][] = [];
  for (const line of lines) {
    const stream = new StringStream(line, 4, 4);
    while (!stream.eol()) {
      const style = keepalivedToken(stream, state);
      const text = stream.current();
      if (text.trim() !== '') out.push([text, style]);
      stream.start = stream.pos;
    }
  }
  return out;
}

describe('keepalived.conf highlighting', () => {
  it('marks blocks, statements, values, states and comments', () => {
    expect(
      tokens(
        'vrrp_instance VI_1 { # the pair',
        '    state MASTER',
        '    virtual_router_id 51',
        '    virtual_ipaddress {',
        '        10.77.0.50/24 dev eth0',
        '    }',
        '}',
      ),
    ).toEqual([
      ['vrrp_instance', 'keyword'],
      ['VI_1', null],
      ['{', 'bracket'],
      ['# the pair', 'comment'],
      ['state', 'propertyName'],
      ['MASTER', 'atom'],
      ['virtual_router_id', 'propertyName'],
      ['51', 'number'],
      ['virtual_ipaddress', 'keyword'],
      ['{', 'bracket'],
      ['10.77.0.50/24', 'number'],
      ['dev', 'atom'],
      ['eth0', null],
      ['}', 'bracket'],
      ['}', 'bracket'],
    ]);
  });

  it('reads quoted strings whole, and `!` comments', () => {
    expect(tokens('    script "/usr/bin/curl -s http://x/#a"', '! old style')).toEqual([
      ['script', 'propertyName'],
      ['"/usr/bin/curl -s http://x/#a"', 'string'],
      ['! old style', 'comment'],
    ]);
  });

  it('treats an @name prefix as meta and the next word as the keyword', () => {
    expect(tokens('@lb1 priority 100')).toEqual([
      ['@lb1', 'meta'],
      ['priority', 'propertyName'],
      ['100', 'number'],
    ]);
  });
});
