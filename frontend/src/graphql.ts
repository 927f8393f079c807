import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.d.ts";

/** Typed GraphQL documents checked against `schema.graphql` (see `npm run gen`). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  // BigInt: token base units as a decimal string (uint256 does not fit a JSON number).
  scalars: { DateTime: string; ID: string; BigInt: string };
}>();

export type { ResultOf, VariablesOf } from "gql.tada";
