import fc from 'fast-check';
import { oddString, wrongTyped } from './odd-values.js';

/** One change to a valid JSON value, at one of its nodes (counted depth first, the root first). */
export type Mutation =
  | { kind: 'replace'; at: number; with: unknown }
  | { kind: 'drop'; at: number }
  | { kind: 'add-field'; at: number; key: string; value: unknown }
  | { kind: 'huge-list'; at: number; length: number }
  | { kind: 'deep'; at: number; depth: number }
  | { kind: 'odd-string'; at: number; value: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(20), with: wrongTyped }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(20) }),
  fc.record({
    kind: fc.constant('add-field' as const),
    at: fc.nat(20),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'namespace', 'extra'), fc.string({ maxLength: 6 })),
    value: wrongTyped,
  }),
  fc.record({ kind: fc.constant('huge-list' as const), at: fc.nat(20), length: fc.constantFrom(1000, 5001, 50_000) }),
  fc.record({ kind: fc.constant('deep' as const), at: fc.nat(20), depth: fc.constantFrom(64, 1000, 10_000) }),
  fc.record({ kind: fc.constant('odd-string' as const), at: fc.nat(20), value: oddString }),
);

type Slot = { get(): unknown; set(value: unknown): void; drop(): void };

function slots(root: { value: unknown }): Slot[] {
  const out: Slot[] = [];
  const visit = (get: () => unknown, set: (v: unknown) => void, drop: () => void) => {
    out.push({ get, set, drop });
    const value = get();
    if (Array.isArray(value)) {
      value.forEach((_, i) =>
        visit(
          () => value[i],
          (v) => (value[i] = v),
          () => value.splice(i, 1),
        ),
      );
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record))
        visit(
          () => record[key],
          (v) => (record[key] = v),
          () => delete record[key],
        );
    }
  };
  visit(
    () => root.value,
    (v) => (root.value = v),
    () => (root.value = undefined),
  );
  return out;
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** The value with the mutation applied (a copy; the original is left as it was, for shrinking). */
export function mutate(value: unknown, change: Mutation): unknown {
  const root = { value: structuredClone(value) };
  const all = slots(root);
  const slot = all[change.at % all.length]!;
  switch (change.kind) {
    case 'replace':
      slot.set(change.with);
      break;
    case 'drop':
      slot.drop();
      break;
    case 'add-field': {
      const target = slot.get();
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        // defineProperty: a plain assignment of __proto__ would set the prototype, not a field
        Object.defineProperty(target, change.key, {
          value: change.value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else slot.set({ [change.key]: change.value });
      break;
    }
    case 'huge-list': {
      const current = slot.get();
      slot.set(
        Array.from({ length: change.length }, (_, i) =>
          Array.isArray(current) && current.length > 0 ? current[i % current.length] : (current ?? `x${i}`),
        ),
      );
      break;
    }
    case 'deep':
      slot.set(nested(change.depth, slot.get() ?? 1));
      break;
    case 'odd-string':
      slot.set(change.value);
      break;
  }
  return root.value;
}
