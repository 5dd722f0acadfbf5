/** Bytes as MiB with one decimal, as every summary prints them. */
export const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
