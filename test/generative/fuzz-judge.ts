import type { FuzzCase } from './fuzz-case.js';
import { tokenScopes } from './fuzz-fixture.js';
import type { Operation } from './openapi-operations.js';
import { wildcardParams } from './openapi-operations.js';
import type { WireOutcome, WireReply } from './wire-request.js';

/** Whether a reply is a refusal: then it must change nothing. */
export function isRefusal(outcome: WireOutcome): boolean {
  return outcome.kind === 'answer' && outcome.reply.status >= 400;
}

/**
 * The status a request must get from authorization alone, whatever its body: 401 without a valid
 * token, 403 when the token's scopes do not reach the route's namespace. Null where the route has
 * no namespace in its path, or an odd parameter may have sent the request to another route.
 */
export function authorizationAnswer(c: FuzzCase, op: Operation): 401 | 403 | null {
  const namespace = c.params.namespace;
  if (namespace === undefined || namespace.odd) return null;
  if (
    op.pathParams.some(
      (name) => c.params[name]!.odd && (!wildcardParams.has(name) || /[?#%]/.test(c.params[name]!.value)),
    )
  )
    return null;
  if (c.token === 'none' || c.token === 'invalid') return 401;
  const level = tokenScopes[c.token][namespace.value];
  const needs = c.method === 'GET' ? 'read' : 'write';
  const allowed = level === 'write' || (level === 'read' && needs === 'read');
  return allowed ? null : 403;
}

function envelopeProblem(reply: WireReply): string | null {
  if (!/^application\/json/.test(reply.headers['content-type'] ?? ''))
    return `refusal ${reply.status} is not JSON (content-type ${reply.headers['content-type'] ?? 'none'})`;
  let body: { status?: unknown; status_message?: unknown };
  try {
    body = JSON.parse(reply.body.toString('utf8')) as typeof body;
  } catch {
    return `refusal ${reply.status} has a body that does not parse as JSON: ${reply.body.subarray(0, 200).toString()}`;
  }
  if (body.status !== 'error' || typeof body.status_message !== 'string')
    return `refusal ${reply.status} is not in the Oxen envelope: ${reply.body.subarray(0, 300).toString()}`;
  return null;
}

/** Refused before any route ran (the HTTP parser, the router): authorization cannot come first there. */
function refusedBeforeRouting(reply: WireReply): boolean {
  return (
    reply.status === 431 ||
    (reply.status === 400 && /malformed HTTP request|FST_ERR_|needs a Host|name_too_long/.test(reply.body.toString()))
  );
}

/** Every invariant a single request's outcome must hold, as violations (empty when it holds them all). */
export function judgeOutcome(c: FuzzCase, op: Operation, outcome: WireOutcome): string[] {
  const problems: string[] = [];
  const expectsAnswer = c.delivery.kind === 'whole' || c.delivery.kind === 'slow';
  if (outcome.kind !== 'answer') {
    if (expectsAnswer)
      problems.push(
        outcome.kind === 'timeout'
          ? 'no answer in time'
          : `connection closed without an answer (${outcome.error ?? 'no error'}, body ` +
              `${outcome.wroteAll ? 'all sent' : 'not all sent'})`,
      );
    return problems;
  }
  const { reply } = outcome;
  // 501 not_implemented: the merkle-tree routes of clone and push, which sluice answers so on purpose
  const notImplemented = reply.status === 501 && /"type":"not_implemented"/.test(reply.body.toString());
  if (reply.status >= 500 && !notImplemented && !(reply.status === 503 && reply.headers['retry-after'] !== undefined)) {
    problems.push(
      `answered ${reply.status}${reply.status === 503 ? ' without Retry-After' : ''}: ` +
        `${reply.body.subarray(0, 300).toString()}`,
    );
  }
  if (reply.status >= 400) {
    const problem = envelopeProblem(reply);
    if (problem !== null) problems.push(problem);
  }
  const auth = authorizationAnswer(c, op);
  if (auth !== null && reply.status !== auth && !refusedBeforeRouting(reply)) {
    problems.push(
      `authorization first: expected ${auth} for token '${c.token}' on namespace ` +
        `'${c.params.namespace?.value}', got ${reply.status}: ${reply.body.subarray(0, 200).toString()}`,
    );
  }
  return problems;
}

/**
 * A refusal that reports a job's outcome comes after the job ran: the worker found the content
 * does not match its hash (resumable uploads), or found before storing anything that a file would
 * take a directory's place (409 path_conflict). The job's record, the queue's bookkeeping and the
 * ingest totals are kept for whoever looks into it. Nothing else may change: no staged entry, no
 * object, no version. A commit refused by its job leaves only the commit queue's job counter and
 * event stream changed.
 */
export function changeAllowed(op: string, reply: WireReply, diffLine: string): boolean {
  const body = reply.body.toString();
  // a commit refused by its job (the job itself is removed before the answer): BullMQ counts every
  // job it adds and logs each step in the queue's event stream, records that hold no job
  if (op === 'commit' || op === 'commit_deprecated') {
    return /^redis (added|changed): \{[^}]*:q\}:commit:(id|events)$/.test(diffLine);
  }
  if (/"type":"hash_mismatch"/.test(body)) {
    return /^redis (added|changed|removed): (\{[^}]*:q\}:ingest:|\{[^}]*\}:job:upload-|[^{]*:ingest-totals$)/.test(
      diffLine,
    );
  }
  if (/"type":"path_conflict"/.test(body)) {
    return /^redis (added|changed|removed): (\{[^}]*:q\}:ingest:|\{[^}]*\}:job:[^:]+$|[^{]*:ingest-totals$)/.test(
      diffLine,
    );
  }
  return false;
}
