import type { FileResult, IngestJobResult, SpooledPart } from '@sluice/queue';
import type { FileOutcome } from './file-outcome.js';
import type { PlannedStatus } from '../stage/stage-plan.js';

/**
 * A staging job's answer: each file's outcome in request order, with its staged status. `statuses`
 * holds one status per file that did not fail, in the same order (as stageFiles answers).
 */
export function jobResult(
  parts: readonly SpooledPart[],
  outcomes: readonly FileOutcome[],
  statuses: readonly PlannedStatus[],
  deduplicated: number,
): IngestJobResult {
  const files: FileResult[] = [];
  const paths: string[] = [];
  let next = 0;
  parts.forEach(({ path }, i) => {
    const outcome = outcomes[i]!;
    if ('error' in outcome) return void files.push({ path, error: outcome.error });
    files.push({
      path,
      status: statuses[next++]!,
      hash: outcome.hash,
      size: outcome.size,
      mime_type: outcome.mimeType,
      data_type: outcome.dataType,
    });
    paths.push(path);
  });
  return { paths, files, deduplicated };
}

/** The answer of a job that only stores content (POST /versions): every stored file counts as added. */
export function unstagedResult(
  parts: readonly SpooledPart[],
  outcomes: readonly FileOutcome[],
  deduplicated: number,
): IngestJobResult {
  const files: FileResult[] = parts.map((part, i) => {
    const outcome = outcomes[i]!;
    if ('error' in outcome) return { path: part.path, error: outcome.error };
    return {
      path: part.path,
      status: 'added',
      hash: outcome.hash,
      size: outcome.size,
      mime_type: outcome.mimeType,
      data_type: outcome.dataType,
    };
  });
  return {
    paths: files.filter((f) => !('error' in f)).map((f) => f.path),
    files,
    deduplicated,
  };
}
