import fc from 'fast-check';

/** The part of JSON Schema the document's request schemas use. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/**
 * Plausible values by field name (the fixture's ids, paths, hashes),
 * so requests get past the lookups; given the field's schema.
 */
export type Hints = (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;

/**
 * Values the schema accepts, at and near its bounds: strings at minLength and maxLength, integers
 * at their minimum and at the largest safe integer, optional fields present and absent. A field
 * the hints know is drawn mostly from them.
 */
export function validValue(schema: JsonSchema, hints: Hints, name = ''): fc.Arbitrary<unknown> {
  const hinted = hints(name, schema);
  const own = fromSchema(schema, hints);
  return hinted === undefined ? own : fc.oneof({ weight: 4, arbitrary: hinted }, { weight: 1, arbitrary: own });
}

function fromSchema(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map((s) => fromSchema(s, hints)));
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const fields = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validValue(s, hints, key)]));
      return fc.record(fields, { requiredKeys: [...required].filter((key) => key in properties) });
    }
    case 'array':
      return fc.array(validValue(schema.items ?? {}, hints, 'item'), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 6, 6),
      });
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? Math.max(min, 12);
      return fc.oneof(
        fc.string({ minLength: min, maxLength: Math.min(max, min + 12) }),
        fc.constantFrom('a'.repeat(min), 'b'.repeat(max)),
      );
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      return fc.oneof(
        fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 100_000) }),
        fc.constantFrom(min, Math.min(min + 1, max), max),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
