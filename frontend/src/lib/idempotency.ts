import { useRef } from "react";
import type { OperationContext } from "urql";
import { withIdempotencyKey } from "./client";

function newKey(): string {
  // randomUUID needs a secure context; a forum reached over plain HTTP on a LAN address has none.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The Idempotency-Key of a create form. A submission that failed may still have been written
 * (the answer was lost), so sending the same input again reuses its key and the server answers
 * with what was created instead of creating it twice; another input, or the next submission
 * after a success, gets a new key.
 */
export function useIdempotencyKey() {
  const last = useRef<{ input: string; key: string } | null>(null);
  return {
    /** The mutation context for sending `input`. */
    context(input: unknown): Partial<OperationContext> {
      const text = JSON.stringify(input);
      if (last.current?.input !== text) last.current = { input: text, key: newKey() };
      return withIdempotencyKey(last.current.key);
    },
    /** The submission succeeded: the next one is new. */
    done() {
      last.current = null;
    },
  };
}
