import { describe, expect, it } from 'vitest';
import { terminalScreen } from './terminal-screen.js';

describe('terminalScreen', () => {
  it('applies redraws in place, clears and carriage returns as a terminal does', () => {
    const first = '\x1b[2Ka 1\n\x1b[2Kb 1\n';
    const second = '\x1b[2F\x1b[2Ka 22\n\x1b[2Kb\n';
    expect(terminalScreen(`${first}${second}done\r\n`)).toEqual(['a 22', 'b', 'done', '']);
    expect(terminalScreen('12345\rab')).toEqual(['ab345']);
  });
});
