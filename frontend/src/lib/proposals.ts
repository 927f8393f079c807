// The proposals this tab has just sent: their page waits for the indexer to show them rather
// than say "not found" (the API knows a proposal only once the chain's event is mirrored).
const KEY = "agora:sent-proposals";
// Only the last few matter: the page is opened right after sending.
const KEEP = 20;

function sent(): string[] {
  try {
    const ids: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export function rememberSentProposal(id: string) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify([...sent().filter((x) => x !== id), id].slice(-KEEP)));
  } catch {
    // Storage full or refused: the page then says "not found" until the indexer has it.
  }
}

export function wasSentHere(id: string): boolean {
  return sent().includes(id);
}
