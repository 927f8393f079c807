import { CombinedError } from "urql";

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "RATE_LIMITED"
  | "CONFLICT"
  | "INTERNAL"
  | "NETWORK"
  | "WALLET"
  | "UNKNOWN";

export interface AppError {
  code: ErrorCode;
  message: string;
  /** The input field at fault (BAD_USER_INPUT), e.g. "title". */
  field?: string;
}

const FALLBACK: Record<ErrorCode, string> = {
  UNAUTHENTICATED: "Please sign in to do that.",
  FORBIDDEN: "You don't have permission to do that.",
  NOT_FOUND: "We couldn't find that. It may have been deleted.",
  BAD_USER_INPUT: "Something in the form needs fixing.",
  RATE_LIMITED: "You're doing that too often. Please wait a moment and try again.",
  CONFLICT: "That already exists or was changed by someone else.",
  INTERNAL: "Something went wrong on our side. Please try again.",
  NETWORK: "We couldn't reach Agora. Check your connection and try again.",
  WALLET: "Your wallet couldn't complete the request.",
  UNKNOWN: "Something went wrong. Please try again.",
};

function fieldName(raw: unknown): string | undefined {
  if (typeof raw !== "string" || !raw) return undefined;
  // "input.title" -> "title"
  const parts = raw.split(".");
  return parts[parts.length - 1];
}

export function toAppError(err: unknown): AppError {
  if (err instanceof CombinedError) {
    const first = err.graphQLErrors[0];
    if (first) {
      const raw = first.extensions?.code;
      const code = (typeof raw === "string" && raw in FALLBACK ? raw : "UNKNOWN") as ErrorCode;
      const message = first.message?.trim() || FALLBACK[code];
      return { code, message, field: fieldName(first.extensions?.field) };
    }
    if (err.networkError) {
      const status = (err.response as Response | undefined)?.status;
      if (status === 429) return { code: "RATE_LIMITED", message: FALLBACK.RATE_LIMITED };
      if (status === 403) return { code: "FORBIDDEN", message: FALLBACK.FORBIDDEN };
      return { code: "NETWORK", message: FALLBACK.NETWORK };
    }
  }
  if (err && typeof err === "object" && "code" in err && "message" in err) {
    const e = err as AppError;
    if (typeof e.code === "string" && e.code in FALLBACK) return e;
  }
  return { code: "UNKNOWN", message: FALLBACK.UNKNOWN };
}

export function message(code: ErrorCode): string {
  return FALLBACK[code];
}
