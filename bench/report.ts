import { writeFileSync } from 'node:fs';
import type { Figure } from './figure.js';

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * The results as a Markdown table (what the README quotes). A smoke run's few hundred files say
 * nothing about speed: its table leaves the verdicts out instead of printing misses that are not.
 */
export function table(figures: readonly Figure[], judged = true): string {
  const lines = judged
    ? ['| figure | value | ceiling | ratio | target | met |', '|---|---|---|---|---|---|']
    : ['| figure | value | ceiling | ratio |', '|---|---|---|---|'];
  for (const f of figures) {
    const cells = [
      f.name,
      `${format(f.value)} ${f.unit}`,
      f.ceiling === null ? '' : `${format(f.ceiling)} ${f.unit}`,
      f.ratio === null ? '' : `${f.ratio.toFixed(2)}x`,
    ];
    if (judged) cells.push(f.target, f.met === null ? '' : f.met ? 'yes' : 'NO');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** A bar chart of the ratio figures against their targets, as a standalone SVG. */
export function writeChart(path: string, figures: readonly Figure[], caption: string): void {
  const ratios = figures.filter((f) => f.ratio !== null);
  const width = 760;
  const row = 34;
  const left = 330;
  const scale = (width - left - 60) / Math.max(1.2, ...ratios.map((f) => f.ratio!));
  const height = 60 + ratios.length * row;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = ratios.map((f, i) => {
    const y = 40 + i * row;
    const target = Number(/([\d.]+)x/.exec(f.target)?.[1] ?? 0);
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end" font-size="12">${esc(f.name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${(f.ratio! * scale).toFixed(1)}" height="18" ` +
        `fill="${f.met ? '#2e7d32' : '#c62828'}"/>`,
      `<line x1="${left + target * scale}" x2="${left + target * scale}" y1="${y}" y2="${y + 26}" ` +
        `stroke="#111" stroke-dasharray="3,2"/>`,
      `<text x="${left + f.ratio! * scale + 6}" y="${y + 17}" font-size="12">${f.ratio!.toFixed(2)}x</text>`,
    ].join('');
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="14" font-weight="bold">${esc(caption)}</text>
<line x1="${left + scale}" x2="${left + scale}" y1="34" y2="${height - 10}" stroke="#999"/>
${bars.join('\n')}
<text x="${left}" y="${height - 4}" font-size="10" fill="#555">\
bar: sluice / ceiling measured in the same run; dashed: target; grey: 1.0x</text>
</svg>\n`;
  writeFileSync(path, svg);
}
