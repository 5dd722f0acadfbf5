import { Type, type TProperties } from 'typebox';
import { errorCodes, type ErrorCode } from '@sluice/core';

/** sluice's stable error codes, as the wire carries them. */
export const ErrorCodeSchema = Type.Enum(Object.keys(errorCodes) as ErrorCode[], {
  description: "sluice's stable error code",
});

const envelopeFields = {
  status: Type.Enum(['success', 'error']),
  status_message: Type.String({ description: 'resource_found, resource_created, … (Oxen StatusMessage)' }),
  oxen_version: Type.Optional(Type.String()),
};

/**
 * A success answer: the Oxen envelope flattened together with its data fields, and nothing else,
 * so an answer carrying an undescribed field fails the answer check (SLUICE_CHECK_ANSWERS).
 */
export function Envelope<Fields extends TProperties>(fields: Fields, options: { description?: string } = {}) {
  return Type.Object({ ...envelopeFields, ...fields }, { additionalProperties: false, ...options });
}

/**
 * Every error answer: the envelope, a description for people and the typed `error` object
 * (upstream's shapes 2 and 3 together), never a stack trace. Some errors add data fields (the
 * branch that exists, the job that timed out), so it stays open.
 */
export const ErrorBody = Type.Object(
  {
    ...envelopeFields,
    status_description: Type.String({ description: 'what went wrong, for people' }),
    error: Type.Object({ type: ErrorCodeSchema, title: Type.String(), detail: Type.String() }),
  },
  { description: 'An error in the Oxen envelope; never a stack trace' },
);

/** An error answer described for one status. */
export function errorAnswer(description: string): typeof ErrorBody {
  return { ...ErrorBody, description } as typeof ErrorBody;
}
