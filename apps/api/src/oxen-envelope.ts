import { SluiceError } from '@sluice/core';

/** The Oxen server version whose wire contract sluice speaks (reference: upstream 0.54.0). */
export const oxenVersion = '0.54.0';
export const minOxenClientVersion = '0.36.0';

export type Envelope = { status: 'success' | 'error'; status_message: string; oxen_version?: string } & Record<
  string,
  unknown
>;

/** A success body: the Oxen envelope flattened together with the data fields. */
export function success(statusMessage: string, fields: Record<string, unknown> = {}): Envelope {
  return { status: 'success', status_message: statusMessage, oxen_version: oxenVersion, ...fields };
}

/**
 * An error body that every Oxen client parses: `status`, `status_message`, plus the description
 * and the typed `error` object (upstream's shapes 2 and 3 together). Never a stack trace.
 */
export function failure(error: SluiceError): Envelope {
  return {
    status: 'error',
    status_message: error.statusMessage,
    oxen_version: oxenVersion,
    status_description: error.message,
    error: { type: error.code, title: error.title, detail: error.message, ...error.errorFields },
    ...error.fields,
  };
}
