import { Type, type Static } from 'typebox';

const fileFacts = Type.Object({ hash: Type.String(), size: Type.Integer({ minimum: 0 }) });

/** sluice: one file that differs between two revisions (`GET R/compare/trees`). */
export const TreeChangeView = Type.Object({
  path: Type.String(),
  status: Type.Union([Type.Literal('added'), Type.Literal('modified'), Type.Literal('removed')]),
  base: Type.Union([fileFacts, Type.Null()]),
  head: Type.Union([fileFacts, Type.Null()]),
});
export type TreeChangeView = Static<typeof TreeChangeView>;
