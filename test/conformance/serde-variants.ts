import type { SerdeStruct } from '@sluice/protocol';

/** One body made from a route's base body, and whether upstream's serde refuses it. */
export interface BodyVariant {
  label: string;
  body: unknown;
  refused: boolean;
  /** serde reads it, and the handler answers this (a refusal of its own, not the schema's). */
  handler?: { status: number; code: string };
}

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

/** Sets (or, with `undefined`, removes) the value at `path` in a copy of `body`. */
function withValue(body: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = clone(body);
  let at = copy as Json;
  for (const step of path.slice(0, -1)) at = at[step as string] as Json;
  const last = path[path.length - 1]!;
  if (value === undefined) delete at[last as string];
  else at[last as string] = value;
  return copy;
}

const label = (path: ReadonlyArray<string | number>) =>
  path
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .slice(1);

/**
 * For a body serde reads into `struct`, the variants serde's rules decide: each field absent
 * (refused unless it is an Option, has a default, or sluice deliberately lets it be absent), each
 * field null (refused unless it is an Option), each plain string field "" (read: what it means is
 * the handler's), each enum field a value that is none of its variants (refused), and one unknown
 * field added (refused only with deny_unknown_fields); nested structs the base body holds are
 * varied the same way.
 */
export function serdeVariants(struct: SerdeStruct, base: Json, at: ReadonlyArray<string | number> = []): BodyVariant[] {
  const variants: BodyVariant[] = [];
  const here = at.reduce<unknown>((value, step) => (value as Json)[step as string], base) as Json;
  for (const [name, field] of Object.entries(struct.fields)) {
    const path = [...at, name];
    const mayBeAbsent = field.option === true || field.default === true || field.sluiceMayOmit === true;
    if (name in here)
      variants.push({ label: `${label(path)} absent`, body: withValue(base, path, undefined), refused: !mayBeAbsent });
    variants.push({ label: `${label(path)} null`, body: withValue(base, path, null), refused: field.option !== true });
    const value = here[name];
    const schema = field.type as { type?: string; enum?: unknown[]; format?: string } | undefined;
    // "" is a string to serde: read like any other, the handler decides (a plain string only)
    if (schema?.type === 'string' && schema.format === undefined && field.struct === undefined) {
      variants.push({ label: `${label(path)} empty`, body: withValue(base, path, ''), refused: false });
    }
    // a value none of an enum's variants: serde refuses it
    if (schema?.enum !== undefined)
      variants.push({
        label: `${label(path)} not a variant`,
        body: withValue(base, path, 'sluice-no-such-variant'),
        refused: true,
      });
    if (field.struct !== undefined && value !== null && value !== undefined) {
      const inner = field.list === true ? [...path, 0] : path;
      if (field.list !== true || (Array.isArray(value) && value.length > 0))
        variants.push(...serdeVariants(field.struct, base, inner));
    }
  }
  const unknown = [...at, 'sluice_unknown_field'];
  variants.push({ label: `${label(unknown)} added`, body: withValue(base, unknown, 1), refused: struct.denyUnknown });
  return variants;
}
