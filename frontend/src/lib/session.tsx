import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Provider } from "urql";
import { makeClient, setCsrfToken, type AgoraClient } from "./client";
import { toAppError, type AppError } from "./errors";
import { useToast } from "./toast";
import { SignInChallengeMutation, SignInMutation, SignOutMutation, ViewerQuery, type Viewer } from "../ops";

export type SignInStatus = "closed" | "no-wallet" | "working" | "error";

interface SessionValue {
  viewer: Viewer | null;
  /** True until the first viewer check (cookie session) has answered. */
  checking: boolean;
  signInStatus: SignInStatus;
  signInError: AppError | null;
  /** Why sign-in was asked for ("to vote"...), shown in the dialog. */
  signInReason: string | null;
  startSignIn: (reason?: string) => void;
  /** Resolves true when signed in; else opens sign-in and resolves false. Waits for the first check. */
  ensureSignedIn: (reason?: string) => Promise<boolean>;
  closeSignIn: () => void;
  signOut: () => Promise<void>;
  /** The server ended the session already (the account was deleted): forget it here. */
  forgetSession: () => void;
  refreshViewer: () => Promise<void>;
  isMe: (address: string | null | undefined) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [checking, setChecking] = useState(true);
  const [signInStatus, setSignInStatus] = useState<SignInStatus>("closed");
  const [signInError, setSignInError] = useState<AppError | null>(null);
  const [signInReason, setSignInReason] = useState<string | null>(null);

  const expiredRef = useRef<() => void>(() => {});
  const attemptRef = useRef(0);
  const [agora, setAgora] = useState<AgoraClient>(() => makeClient(() => expiredRef.current()));
  const agoraRef = useRef(agora);
  agoraRef.current = agora;

  const resetClient = useCallback(() => {
    agoraRef.current.dispose();
    const next = makeClient(() => expiredRef.current());
    agoraRef.current = next;
    setAgora(next);
    return next;
  }, []);

  const loadViewer = useCallback(async (client = agoraRef.current.client) => {
    const res = await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    if (res.error) {
      // A network failure keeps whatever we knew; an auth failure means signed out.
      if (res.error.networkError) return undefined;
      setCsrfToken(null);
      setViewer(null);
      return null;
    }
    const v = res.data?.viewer ?? null;
    setCsrfToken(v?.csrfToken ?? null);
    setViewer(v);
    return v;
  }, []);

  const viewerRef = useRef<Viewer | null>(null);
  viewerRef.current = viewer;
  // Resolved once the cookie session has been checked (actions wait for it before asking to sign in).
  const [firstCheck] = useState(() => {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });

  useEffect(() => {
    loadViewer().finally(() => {
      setChecking(false);
      firstCheck.resolve();
    });
  }, [loadViewer]);

  // The wallet switched to another account: the session stays with the one that signed in.
  const notify = useToast();
  useEffect(() => {
    const provider = window.ethereum;
    if (!provider?.on) return;
    const onAccounts = (...args: unknown[]) => {
      const accounts = (args[0] as string[] | undefined) ?? [];
      const me = viewerRef.current?.user.address.toLowerCase();
      if (me && accounts[0] && accounts[0].toLowerCase() !== me) {
        notify("Your wallet switched accounts. You're still signed in as before; sign out and in again to switch.");
      }
    };
    provider.on("accountsChanged", onAccounts);
    return () => provider.removeListener?.("accountsChanged", onAccounts);
  }, [notify]);

  // The session expired or was revoked elsewhere: re-check, and drop to signed-out if so.
  expiredRef.current = () => {
    void loadViewer().then((v) => {
      if (v === null) resetClient();
    });
  };

  const startSignIn = useCallback(
    (reason?: string) => {
      setSignInReason(reason ?? null);
      setSignInError(null);
      if (!window.ethereum) {
        setSignInStatus("no-wallet");
        return;
      }
      setSignInStatus("working");
      const client = agoraRef.current.client;
      const attempt = ++attemptRef.current;
      (async () => {
        try {
          const { signChallenge } = await import("./wallet");
          const signed = await signChallenge(async (address) => {
            const res = await client.mutation(SignInChallengeMutation, { address }).toPromise();
            if (res.error || !res.data) throw toAppError(res.error);
            return res.data.signInChallenge.message;
          });
          const res = await client
            .mutation(SignInMutation, { message: signed.message, signature: signed.signature })
            .toPromise();
          if (res.error || !res.data) throw toAppError(res.error);
          setCsrfToken(res.data.signIn.csrfToken);
          const fresh = resetClient();
          const v = await loadViewer(fresh.client);
          if (!v) {
            // Fall back to what signIn told us if the viewer query failed.
            setViewer({ csrfToken: res.data.signIn.csrfToken, user: res.data.signIn.user, joinedCommunities: [] });
          }
          setSignInStatus("closed");
        } catch (err) {
          if (attempt !== attemptRef.current) return; // the person closed the dialog meanwhile
          setSignInError(toAppError(err));
          setSignInStatus("error");
        }
      })();
    },
    [loadViewer, resetClient],
  );

  const ensureSignedIn = useCallback(
    async (reason?: string) => {
      await firstCheck.promise;
      if (viewerRef.current) return true;
      startSignIn(reason);
      return false;
    },
    [startSignIn, firstCheck],
  );

  const closeSignIn = useCallback(() => {
    attemptRef.current++;
    setSignInStatus("closed");
    setSignInError(null);
  }, []);

  const signOut = useCallback(async () => {
    await agoraRef.current.client.mutation(SignOutMutation, {}).toPromise();
    setCsrfToken(null);
    setViewer(null);
    resetClient();
  }, [resetClient]);

  const forgetSession = useCallback(() => {
    setCsrfToken(null);
    setViewer(null);
    resetClient();
  }, [resetClient]);

  const refreshViewer = useCallback(async () => {
    await loadViewer();
  }, [loadViewer]);

  const isMe = useCallback(
    (address: string | null | undefined) =>
      !!viewer && !!address && viewer.user.address.toLowerCase() === address.toLowerCase(),
    [viewer],
  );

  const value = useMemo<SessionValue>(
    () => ({
      viewer,
      checking,
      signInStatus,
      signInError,
      signInReason,
      startSignIn,
      ensureSignedIn,
      closeSignIn,
      signOut,
      forgetSession,
      refreshViewer,
      isMe,
    }),
    [viewer, checking, signInStatus, signInError, signInReason, startSignIn, ensureSignedIn, closeSignIn, signOut, forgetSession, refreshViewer, isMe],
  );

  return (
    <SessionContext.Provider value={value}>
      <Provider value={agora.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
