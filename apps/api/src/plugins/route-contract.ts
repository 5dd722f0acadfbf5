import type { FastifyInstance, FastifySchemaValidationError, RouteOptions } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SluiceError } from '@sluice/core';
import { ErrorBody } from '@sluice/protocol';
import { paramDescriptions, type RouteSchema } from '../openapi/schema-kit.js';

/** The names of a URL's parameters, in order, the wildcard last. */
function paramNames(url: string): string[] {
  const names = [...url.matchAll(/:(\w+)/g)].map(([, name]) => name!);
  if (url.endsWith('*')) names.push('*');
  return names;
}

/** The parameters of a URL, every one a string the router gives (the wildcard may be empty). */
function paramsOf(url: string): RouteSchema['params'] {
  const names = paramNames(url);
  return {
    type: 'object',
    properties: Object.fromEntries(
      names.map((name) => [name, { type: 'string', description: paramDescriptions[name] ?? name }]),
    ),
    required: names,
  };
}

/** Where in the request a validation error points, as serde names fields: `files[2].hash`. */
function fieldOf(error: FastifySchemaValidationError): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  return missing === undefined ? path : path === '' ? missing : `${path}.${missing}`;
}

/** A refused request in the words upstream's body parser uses, naming the field and what it must be. */
function describe(errors: FastifySchemaValidationError[], part: string): string {
  const error = errors[0]!;
  const field = fieldOf(error);
  const where = part === 'body' ? 'request body' : part;
  if (error.keyword === 'required') return `Invalid ${where}: missing field \`${field}\``;
  return `Invalid ${where}: ${field === '' ? '' : `\`${field}\` `}${error.message ?? 'is not valid'}`;
}

/**
 * What every route's schema (`routes/*.schema.ts`) is held to: its URL parameters are those of
 * the URL (declared from it when the schema names none), its error answers are the Oxen error
 * envelope, and a request its schema refuses is a 400 `bad_request` saying which field and why,
 * before the handler runs. With `checkAnswers` each JSON answer is checked against the schema of
 * its status and fails (500, logged) when it strays:
 * the test suite runs so, which holds the document and the wire to each other. Answers are
 * written with JSON.stringify either way, so a schema never drops or reshapes a field.
 */
export function routeContract(app: FastifyInstance, { checkAnswers }: { checkAnswers: boolean }): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as RouteSchema | undefined;
    if (schema?.operationId === undefined) return;
    // a schema beside its handler names the parameters of a prefix written elsewhere: held to the URL here
    const declared = Object.keys((schema.params as { properties?: object } | undefined)?.properties ?? {});
    if (schema.params !== undefined && declared.join('/') !== paramNames(route.url).join('/'))
      throw new Error(
        `${schema.operationId}: its params (${declared.join(', ')}) are not those of ${route.url} ` +
          `(${paramNames(route.url).join(', ')}), in order`,
      );
    route.schemaErrorFormatter = (errors, part) => {
      const field = fieldOf(errors[0]!).split(/[.[]/)[0]!;
      return new SluiceError(schema.refusals?.[field] ?? 'bad_request', describe(errors, part));
    };
    route.schema = {
      ...schema,
      params: schema.params ?? paramsOf(route.url),
      response: { '4xx': ErrorBody, '5xx': ErrorBody, ...schema.response },
    };
  });

  // Bodies and answers are taken as they are; only the URL's and headers' text is read as the
  // numbers and booleans their schemas name (`?page=2`).
  const exact = new Ajv({ strict: false, allErrors: false });
  const fromText = new Ajv({ strict: false, allErrors: false, coerceTypes: 'array' });
  for (const ajv of [exact, fromText]) addFormats.default(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : fromText).compile(schema));
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    if (!checkAnswers) return (data) => JSON.stringify(data);
    const validate: ValidateFunction = exact.compile(schema as object);
    return (data) => {
      if (!validate(data)) {
        const [first] = validate.errors ?? [];
        // a plain Error: the caller gets an opaque 500, the log gets what strayed
        throw new Error(
          `answer of ${method} ${url} (${httpStatus}) strays from its schema: ` +
            `${first?.instancePath || '(root)'} ${first?.message ?? ''} ${JSON.stringify(first?.params ?? {})}`,
        );
      }
      return JSON.stringify(data);
    };
  });
}
