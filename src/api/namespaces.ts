import type { Static } from 'typebox';
import { Type } from './type.js';

/** A namespace: the organisation that owns repositories, as `namespace_url` points at it. */
export const Namespace = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  slug_perm: Type.String(),
  type_name: Type.Literal('Organization', { description: 'Always an organisation here.' }),
});
/** A namespace on the wire. */
export type Namespace = Static<typeof Namespace>;
