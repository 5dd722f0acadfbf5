import { SluiceError } from '@sluice/core';
import type { ErrorBody } from '@sluice/protocol';
import type { Static } from 'typebox';

/** The Oxen server version whose wire contract sluice speaks (reference: upstream 0.54.0). */
export const oxenVersion = '0.54.0';
export const minOxenClientVersion = '0.36.0';

type EnvelopeKeys = 'status' | 'status_message' | 'oxen_version';

/**
 * The data fields of the success answers among `Body`, the answers a route declares: each one
 * without an `error` object, less the envelope.
 */
export type SuccessData<Body> = Body extends { error: unknown }
  ? never
  : Body extends { status_message: string }
    ? Omit<Body, EnvelopeKeys>
    : never;
/** The fields argument: optional where the answer has no required data field; refused where no answer is declared. */
type FieldsArgument<Body> = unknown extends Body
  ? [fields: 'no answer type here: return success() from a handler that names its request, or declare Answer<…>']
  : Record<never, never> extends SuccessData<Body>
    ? [fields?: SuccessData<Body>]
    : [fields: SuccessData<Body>];

/**
 * A success body: the Oxen envelope flattened together with the data fields.
 *
 * `Body` is taken from where the answer goes (a handler's return, `reply.send`), never from the
 * fields: so the fields are checked against the route's response schema, an undeclared field
 * included (a body written out as an object is checked for missing and mistyped fields only).
 * Where nothing declares the answer, no field passes: a helper's unannotated return (give it
 * `Answer<typeof schema>`), or a handler without parameters, which TypeScript types before
 * Fastify has read the route's schema (name the request: `async (_request) => …`).
 */
export function success<Body>(statusMessage: string, ...[fields]: NoInfer<FieldsArgument<Body>>): Body {
  return { status: 'success', status_message: statusMessage, oxen_version: oxenVersion, ...(fields as object) } as Body;
}

/** An error answer; an error's own fields go beside the envelope's (ErrorBody stays open for them). */
export type ErrorAnswer = Static<typeof ErrorBody>;

/**
 * An error body that every Oxen client parses: `status`, `status_message`, plus the description
 * and the typed `error` object (upstream's shapes 2 and 3 together). Never a stack trace.
 */
export function failure(error: SluiceError): ErrorAnswer {
  return {
    status: 'error',
    status_message: error.statusMessage,
    oxen_version: oxenVersion,
    status_description: error.message,
    error: { type: error.code, title: error.title, detail: error.message, ...error.errorFields },
    ...error.fields,
  };
}
