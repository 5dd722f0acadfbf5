import { SluiceError, type Limits } from '@sluice/core';

/**
 * Up to this many inflated bytes any ratio is fine: upstream inflates gzip parts of up to 10 MiB
 * (its stream segment size) with no ratio test, and a sparse CSV or a file of zeros is legitimate.
 * The ratio only guards parts allowed to inflate further (SLUICE_MAX_INFLATE_BYTES above 10 MiB),
 * where it protects memory and disk.
 */
const ratioFloorBytes = 10 * 1024 * 1024;

type InflateLimits = Pick<Limits, 'maxInflateBytes' | 'maxInflateRatio'>;

/** The most bytes `compressed` input may inflate to before the ratio refuses it. */
export function ratioCap(compressed: number, limits: InflateLimits): number {
  return Math.max(ratioFloorBytes, compressed * limits.maxInflateRatio);
}

/**
 * The one judgement of a gzip part's size, in a thread task or a stream: which limit `inflated`
 * bytes from `compressed` bytes cross, as the error the part fails with, or null.
 */
export function inflateLimitError(inflated: number, compressed: number, limits: InflateLimits): SluiceError | null {
  if (inflated > limits.maxInflateBytes)
    return new SluiceError('inflate_limit', `inflates past SLUICE_MAX_INFLATE_BYTES (${limits.maxInflateBytes} bytes)`);
  if (inflated > ratioCap(compressed, limits))
    return new SluiceError('inflate_ratio', `inflates more than SLUICE_MAX_INFLATE_RATIO (${limits.maxInflateRatio}x)`);
  return null;
}
