import type { StagedEntry, StagedStatus } from '@sluice/core';

/**
 * How a staging hash keeps an entry: `status hash size mimeType dataType`, tab-separated, the status
 * one letter. A staging hash holds one field per staged file, ten million in a large workspace, and
 * this takes about half the bytes of the JSON object earlier versions wrote (still read) and needs
 * no JSON parse when a commit reads them all back.
 */
const letters: Record<StagedStatus, string> = { added: 'a', modified: 'm', removed: 'r' };
const statuses: Partial<Record<string, StagedStatus>> = { a: 'added', m: 'modified', r: 'removed' };

export function encodeStagedEntry(entry: StagedEntry): string {
  const { hash, mimeType, dataType } = entry;
  // no field has a tab by construction (hex hashes, sniffed types); were one to, JSON keeps it whole
  if (hash.includes('\t') || mimeType.includes('\t') || dataType.includes('\t')) return JSON.stringify(entry);
  return `${letters[entry.status]}\t${hash}\t${entry.size}\t${mimeType}\t${dataType}`;
}

export function decodeStagedEntry(value: string): StagedEntry {
  if (value.startsWith('{')) return JSON.parse(value) as StagedEntry;
  const [letter, hash, size, mimeType, dataType] = value.split('\t');
  const status = statuses[letter!];
  if (status === undefined || dataType === undefined) throw new Error(`not a staged entry: ${value.slice(0, 80)}`);
  return {
    status,
    hash: hash!,
    size: Number(size),
    mimeType: mimeType!,
    dataType: dataType as StagedEntry['dataType'],
  };
}
