import { describe, expect, it } from 'vitest';
import { codeSpan, fenced } from '../../orchestrator/core/markdown.ts';

describe('production text in markdown', () => {
  it('is inline code that nothing inside can end, on one line', () => {
    expect(codeSpan('@maintainer <img src=x> [a](http://x)')).toBe('`@maintainer <img src=x> [a](http://x)`');
    expect(codeSpan('a `b` c')).toBe('``a `b` c``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('line one\n\nline two')).toBe('`line one line two`');
  });

  it('is a fenced block longer than any backtick run inside', () => {
    expect(fenced('x', 'js')).toBe('```js\nx\n```');
    expect(fenced('a ```` b\n')).toBe('`````\na ```` b\n`````');
  });
});
