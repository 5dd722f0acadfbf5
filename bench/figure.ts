import { median } from './measure.js';

/** One line of the benchmark's results, as `--json` writes it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The ceiling measured in the same run, where the figure is compared to one. */
  ceiling: number | null;
  /** value / ceiling; for paired runs, the median of each run's ratio to the ceiling measured just before it. */
  ratio: number | null;
  /** The target: a minimum ratio, or for counts and memory a maximum value. */
  target: string;
  met: boolean | null;
}

/** One sluice run and the ceiling run made just before it. */
export interface RunPair {
  value: number;
  ceiling: number;
}

/**
 * A ratio from paired runs: the speed of these shared machines drifts by a third within minutes,
 * so each run is compared with the ceiling measured next to it and the median of those ratios is
 * quoted (with the medians of both sides beside it).
 */
export function pairedRatioFigure(name: string, pairs: readonly RunPair[], unit: string, minRatio: number): Figure {
  const ratio = median(pairs.map((p) => p.value / p.ceiling));
  return {
    name,
    value: median(pairs.map((p) => p.value)),
    unit,
    ceiling: median(pairs.map((p) => p.ceiling)),
    ratio,
    target: `>= ${minRatio}x ceiling`,
    met: ratio >= minRatio,
  };
}

export function maxFigure(name: string, value: number, unit: string, max: number | null): Figure {
  return {
    name,
    value,
    unit,
    ceiling: null,
    ratio: null,
    target: max === null ? 'reported' : `<= ${max} ${unit}`,
    met: max === null ? null : value <= max,
  };
}
