import { Type, type Static, type TObject, type TSchema } from 'typebox';

/**
 * One field of an upstream Rust struct as serde_json reads it. Serde's rules, which the schemas
 * built here follow:
 * - an `Option<T>` field reads `null` as None, and an absent one too (serde's derive treats a
 *   missing `Option` as None even without a default);
 * - a `#[serde(default)]` field may be absent, but `null` is still read as its type (so a plain
 *   `Vec` with a default refuses `null`);
 * - any other field must be present and of its type;
 * - unknown fields are ignored unless the struct says `#[serde(deny_unknown_fields)]`.
 */
export interface SerdeField {
  /** The value's JSON type, `null` aside; sluice may narrow it (a non-empty string). */
  readonly type?: TSchema;
  /** The value is a struct of its own (or, with `list`, a JSON array of them). */
  readonly struct?: SerdeStruct;
  readonly list?: boolean;
  readonly option?: boolean;
  readonly default?: boolean;
  /**
   * Upstream requires the field; sluice lets it be absent (a deliberate difference, said why
   * where the field is declared). Tests expect sluice's answer there, not upstream's.
   */
  readonly sluiceMayOmit?: boolean;
}

/** A Rust struct that upstream reads a JSON body into. */
export interface SerdeStruct {
  readonly name: string;
  /** Where upstream (0.54) declares it. */
  readonly source: string;
  readonly denyUnknown: boolean;
  readonly fields: Readonly<Record<string, SerdeField>>;
}

type ValueOf<F> = F extends { struct: infer S }
  ? F extends { list: true }
    ? Array<SerdeStatic<S>>
    : SerdeStatic<S>
  : F extends { type: infer T extends TSchema }
    ? Static<T>
    : never;
type MayBeNull<F> = F extends { option: true } ? ValueOf<F> | null : ValueOf<F>;
type MayBeAbsent<F> = F extends { option: true }
  ? true
  : F extends { default: true }
    ? true
    : F extends { sluiceMayOmit: true }
      ? true
      : false;
type Fields<S> = S extends { fields: infer F } ? F : never;

/** The TypeScript type of what serde reads into a struct (declared `as const satisfies SerdeStruct`). */
export type SerdeStatic<S> = {
  -readonly [K in keyof Fields<S> as MayBeAbsent<Fields<S>[K]> extends true ? never : K]: MayBeNull<Fields<S>[K]>;
} & {
  -readonly [K in keyof Fields<S> as MayBeAbsent<Fields<S>[K]> extends true ? K : never]?: MayBeNull<Fields<S>[K]>;
};

/** What a field holds when it is neither null nor absent. */
export function valueSchemaOf(field: SerdeField): TSchema {
  if (field.struct !== undefined) {
    const inner = serdeSchema(field.struct);
    return field.list === true ? Type.Array(inner) : inner;
  }
  if (field.type === undefined) throw new Error('a serde field needs a type or a struct');
  return field.type;
}

/** The JSON schema that accepts exactly what serde accepts for the struct. */
export function serdeSchema(struct: SerdeStruct): TObject {
  const properties: Record<string, TSchema> = {};
  for (const [name, field] of Object.entries(struct.fields)) {
    const value = valueSchemaOf(field);
    const nullable = field.option === true ? Type.Union([value, Type.Null()]) : value;
    const mayBeAbsent = field.option === true || field.default === true || field.sluiceMayOmit === true;
    properties[name] = mayBeAbsent ? Type.Optional(nullable) : nullable;
  }
  return Type.Object(properties, { additionalProperties: !struct.denyUnknown });
}

/**
 * The schema of a body upstream tries to read as one struct, then as the next (the first that
 * parses wins): the fields every one of them requires are required; the others are left for the
 * handler, which picks the struct the same way.
 */
export function firstOfSchema(structs: readonly SerdeStruct[]): TObject {
  const [first, ...rest] = structs;
  if (first === undefined) throw new Error('firstOfSchema needs at least one struct');
  const properties: Record<string, TSchema> = {};
  for (const struct of structs) {
    for (const name of Object.keys(struct.fields)) {
      const everywhere = [first, ...rest].every((s) => {
        const field = s.fields[name];
        return field !== undefined && field.option !== true && field.default !== true;
      });
      properties[name] = everywhere ? valueSchemaOf(struct.fields[name]!) : Type.Optional(Type.Unknown());
    }
  }
  return Type.Object(properties);
}
