// The calls of the proposals this browser proposed, kept to execute them later: the API shows a
// proposal's kind and candidate but not its exact calls, which `execute` must repeat.
import type { Calls } from "./chain";

const KEY = "agora:proposal-calls";

export interface KnownProposal extends Calls {
  governorAddress: string;
  description: string;
  proposalId: string;
}

function all(): Record<string, KnownProposal> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, KnownProposal>;
  } catch {
    return {};
  }
}

export function rememberProposal(id: string, p: KnownProposal) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...all(), [id]: p }));
  } catch {
    // Storage full or refused: only the Execute button of this proposal is lost.
  }
}

export function knownProposal(id: string): KnownProposal | null {
  return all()[id] ?? null;
}
