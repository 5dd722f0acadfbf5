/** One entry of a tar as a reader sees it: the ustar fields, with pax records applied. */
export interface TarRecord {
  name: string;
  size: number;
  mode: number;
  mtime: number;
  type: string;
  pax: Record<string, string>;
  content: Buffer;
}

const field = (header: Buffer, start: number, length: number) =>
  header
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '');
const octal = (header: Buffer, start: number, length: number) =>
  parseInt(field(header, start, length).trim() || '0', 8);

/** The pax records of an extended header's data: `"<length> <key>=<value>\n"` each. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

/**
 * The entries of a whole tar, and whether it ended with its two zero blocks (an archive cut short
 * does not). A pax extended header (`x`) applies to the entry after it.
 */
export function readTar(tar: Buffer): { entries: TarRecord[]; complete: boolean } {
  const entries: TarRecord[] = [];
  let pax: Record<string, string> = {};
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) {
      const next = tar.subarray(at + 512, at + 1024);
      return { entries, complete: next.length === 512 && next.every((byte) => byte === 0) };
    }
    const type = field(header, 156, 1) || '0';
    const size = pax.size !== undefined && type !== 'x' ? Number(pax.size) : octal(header, 124, 12);
    const content = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (content.length < size) break;
    if (type === 'x') {
      pax = paxRecords(content);
      continue;
    }
    entries.push({
      name: pax.path ?? field(header, 0, 100),
      size,
      mode: octal(header, 100, 8),
      mtime: octal(header, 136, 12),
      type,
      pax,
      content,
    });
    pax = {};
  }
  return { entries, complete: false };
}
