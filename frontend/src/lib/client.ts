import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import type { OperationContext } from "urql";
import { createClient as createWsClient } from "graphql-ws";

// The CSRF token of the current session; sent on every POST to /graphql while signed in.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

function requestInit(headers: Record<string, string> = {}): RequestInit {
  return { credentials: "same-origin", headers: csrfToken ? { ...headers, "X-CSRF-Token": csrfToken } : headers };
}

/**
 * The context of a create mutation sent with an Idempotency-Key: the server answers a second
 * send of the same key (a retry after a lost answer) with what the first one created.
 */
export function withIdempotencyKey(key: string): Partial<OperationContext> {
  return { fetchOptions: () => requestInit({ "Idempotency-Key": key }) };
}

export interface AgoraClient {
  client: Client;
  dispose: () => void;
}

/**
 * One urql client per sign-in state: signing in or out builds a fresh one, so no cached
 * result from the previous identity (viewerVote, viewerIsMember...) survives.
 */
export function makeClient(onUnauthenticated: () => void): AgoraClient {
  const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: 20,
    shouldRetry: () => true,
  });

  const client = new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetchOptions: () => requestInit(),
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const unauth = error.graphQLErrors.some(
            (e) => e.extensions?.code === "UNAUTHENTICATED",
          );
          if (unauth && csrfToken && operation.kind !== "subscription") onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return { client, dispose: () => void ws.dispose() };
}
