import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, routeSchemas, type AppServices } from '@sluice/api';
import { loadConfig } from '@sluice/core';
import { upstreamAnswers, valueSchemaOf, type SerdeStruct } from '@sluice/protocol';
import { createServices } from '@sluice/sluice';
import { testEnv } from '../support/test-env.js';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  const?: unknown;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
  items?: Schema;
};

/** The JSON types a schema allows (its `type`, or those of its `anyOf` branches). */
function typesOf(schema: Schema): Set<string> {
  if (schema.anyOf !== undefined) return new Set(schema.anyOf.flatMap((branch) => [...typesOf(branch)]));
  const jsonType = (value: unknown) => (value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value);
  if (schema.enum !== undefined) return new Set(schema.enum.map(jsonType));
  if ('const' in schema) return new Set([jsonType(schema.const)]);
  if (schema.type === undefined) return new Set(['any']);
  return new Set([schema.type].flat());
}

const expected0 = (field: SerdeStruct['fields'][string]) => valueSchemaOf(field) as Schema;

/** The branches of a schema that are not null. */
const nonNull = (schema: Schema): Schema[] => (schema.anyOf ?? [schema]).filter((branch) => branch.type !== 'null');

/**
 * Where a value of the right JSON type is still refused by the client: an enum (every value the
 * answer allows must be one of upstream's) or a string format (RFC 3339, a UUID) the answer
 * schema does not hold to.
 */
function narrowing(expected: Schema, property: Schema, where: string): string[] {
  const problems: string[] = [];
  for (const branch of nonNull(property)) {
    if (expected.enum !== undefined) {
      const stray =
        branch.enum === undefined ? ['any string'] : branch.enum.filter((value) => !expected.enum!.includes(value));
      if (stray.length > 0)
        problems.push(
          `${where}: the answer schema allows ${stray.join('|')}, the client reads only ${expected.enum.join('|')}`,
        );
    }
    if (expected.format !== undefined && branch.format !== expected.format) {
      problems.push(`${where}: the answer schema allows any string, the client reads only format ${expected.format}`);
    }
  }
  return problems;
}

/** Where sluice's answer schema lets through what the client's type would not read. */
function mismatches(schema: Schema, struct: SerdeStruct, at: string): string[] {
  const problems: string[] = [];
  const properties = schema.properties ?? {};
  for (const [name, field] of Object.entries(struct.fields)) {
    const where = `${at}.${name}`;
    const property = properties[name];
    const required = field.option !== true && field.default !== true;
    if (property === undefined) {
      if (required) problems.push(`${where}: the client requires it, the answer schema does not have it`);
      continue;
    }
    if (required && !(schema.required ?? []).includes(name))
      problems.push(`${where}: the client requires it, the answer schema lets it be absent`);
    const expected = [...typesOf(valueSchemaOf(field) as Schema)];
    const allowed = typesOf(property);
    const stray = [...allowed].filter(
      (type) => !expected.includes(type) && !(type === 'null' && field.option === true),
    );
    if (allowed.has('any'))
      problems.push(`${where}: the answer schema allows any type, the client reads ${expected.join('|')}`);
    else if (stray.length > 0)
      problems.push(
        `${where}: the answer schema allows ${stray.join('|')}, the client reads ` +
          `${expected.join('|')}${field.option === true ? '|null' : ''}`,
      );
    problems.push(...narrowing(expected0(field), property, where));
    if (field.struct !== undefined) {
      const inner =
        field.list === true ? property.items : (property.anyOf?.find((b) => b.type === 'object') ?? property);
      if (inner !== undefined && typesOf(inner).has('object'))
        problems.push(...mismatches(inner, field.struct, field.list === true ? `${where}[]` : where));
    }
  }
  if (struct.denyUnknown) {
    if (schema.additionalProperties !== false)
      problems.push(`${at}: ${struct.name} denies unknown fields, the answer schema allows them`);
    for (const name of Object.keys(properties))
      if (!(name in struct.fields)) problems.push(`${at}.${name}: ${struct.name} denies this field`);
  }
  return problems;
}

/**
 * The answers the stock client reads into its own types (the table in @sluice/protocol): each
 * route's success schema requires what the type requires, with its JSON type, and allows nothing
 * a strict type refuses. SLUICE_CHECK_ANSWERS then holds every answer of the suite to the schema.
 */
describe("answer schemas satisfy the client's response types (upstream 0.54)", () => {
  // the schemas of the routes the app registers, looked up by operationId
  let services: AppServices;
  let app: FastifyInstance;
  beforeAll(async () => {
    services = await createServices(loadConfig(testEnv('fs').env));
    app = await buildApp(services);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await Promise.allSettled([services.queue.close(), services.commitQueue.close(), services.events.close()]);
    services.redis.disconnect();
  });

  for (const [operation, struct] of Object.entries(upstreamAnswers)) {
    it(`${operation}: ${struct.name}`, () => {
      const route = routeSchemas(app)[operation];
      expect(route, `no route schema named ${operation}`).toBeDefined();
      expect(mismatches(route!.response[200] as Schema, struct, operation)).toEqual([]);
    });
  }
});
