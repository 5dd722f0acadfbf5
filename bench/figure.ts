/** One line of the benchmark's results, as `--json` writes it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The ceiling measured in the same run, where the figure is compared to one. */
  ceiling: number | null;
  /** value / ceiling. */
  ratio: number | null;
  /** The target: a minimum ratio, or for counts and memory a maximum value. */
  target: string;
  met: boolean | null;
}

export function ratioFigure(name: string, value: number, ceiling: number, unit: string, minRatio: number): Figure {
  const ratio = value / ceiling;
  return { name, value, unit, ceiling, ratio, target: `>= ${minRatio}x ceiling`, met: ratio >= minRatio };
}

export function maxFigure(name: string, value: number, unit: string, max: number | null): Figure {
  return { name, value, unit, ceiling: null, ratio: null, target: max === null ? 'reported' : `<= ${max} ${unit}`, met: max === null ? null : value <= max };
}
