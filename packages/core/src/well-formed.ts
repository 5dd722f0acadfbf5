/** A UTF-16 surrogate without its partner: what `"\ud800"` in JSON decodes to. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string can be written as UTF-8 unchanged. A lone surrogate would be stored as U+FFFD,
 * renaming what the caller named: such names are refused, never silently replaced.
 */
export function isWellFormed(value: string): boolean {
  return !loneSurrogate.test(value);
}
