import type { JsonSchema } from './schema-arbitrary.js';

/** One operation of the OpenAPI document, as the fuzzer needs it. */
export interface Operation {
  id: string;
  method: string;
  /** The document's path, `{name}` for each parameter. */
  template: string;
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  headers: Array<{ name: string; schema: JsonSchema }>;
  /** The body's media types, first the one the route documents first. */
  bodyTypes: string[];
  bodySchema?: JsonSchema;
}

interface DocumentOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>;
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}

/** Every operation of the document sluice serves (GET /api/_spec/oxen_server_openapi.json). */
export function operationsOf(document: { paths: Record<string, Record<string, DocumentOperation>> }): Operation[] {
  const out: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const bodyTypes = Object.keys(content);
      const bodySchema = bodyTypes.length > 0 ? content[bodyTypes[0]!]?.schema : undefined;
      out.push({
        id: op.operationId,
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headers: params.filter((p) => p.in === 'header').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        bodyTypes,
        ...(bodySchema === undefined ? {} : { bodySchema }),
      });
    }
  }
  return out;
}

/** The parameters whose value may hold `/`: the last one of paths that end in a wildcard. */
export const wildcardParams = new Set(['path', 'revision_and_path', 'branch', 'branch_name', 'revision']);
