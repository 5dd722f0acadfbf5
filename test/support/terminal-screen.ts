/**
 * What a terminal shows after some output: the lines left on screen once carriage returns, line feeds (CR
 * LF, as a pty sends them) and the few escape sequences a progress display uses (CSI n F: up n lines to
 * the start; CSI n A: up n lines; CSI 2K: clear the line) have been applied. Other sequences are dropped.
 */
export function terminalScreen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let column = 0;
  const put = (text: string) => {
    const line = lines[row]!.padEnd(column, ' ');
    lines[row] = line.slice(0, column) + text + line.slice(column + text.length);
    column += text.length;
  };
  const pattern = /\x1b\[(\d*)([A-Za-z])|\r|\n|[^\x1b\r\n]+|\x1b/g;
  for (const [token, count, command] of output.matchAll(pattern)) {
    if (token === '\r') column = 0;
    else if (token === '\n') {
      // a terminal's line discipline turns LF into CR LF (onlcr)
      row += 1;
      column = 0;
      if (lines.length <= row) lines.push('');
    } else if (command !== undefined) {
      const n = Number(count || '1');
      if (command === 'F' || command === 'A') {
        row = Math.max(0, row - n);
        if (command === 'F') column = 0;
      } else if (command === 'K' && count === '2') {
        lines[row] = '';
      }
    } else if (token !== '\x1b') {
      put(token);
    }
  }
  return lines.map((line) => line.trimEnd());
}
