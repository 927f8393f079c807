import { useEffect, useRef } from "react";
import { useSession } from "../lib/session";
import { ErrorNote } from "./bits";

/** Sign-in progress, errors, and — when there is no wallet — what a wallet is and where to get one. */
export function SignInDialog() {
  const { signInStatus, signInError, signInReason, startSignIn, closeSignIn } = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const open = signInStatus !== "closed";

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="signin-title" onClose={closeSignIn} onCancel={closeSignIn}>
      {signInStatus === "no-wallet" ? (
        <div className="stack">
          <h2 id="signin-title">You'll need a wallet to sign in</h2>
          <p>
            Agora doesn't use passwords. Instead you sign in with a <strong>wallet</strong>: a free browser extension or
            phone app that keeps a private key for you and proves it's really you.
          </p>
          <ul>
            <li>Signing in is free and never moves any money.</li>
            <li>No email address or personal details are needed.</li>
            <li>Your account works the same in every community.</li>
          </ul>
          <p>To get started, install a wallet such as:</p>
          <ul className="wallet-list">
            <li>
              <a href="https://metamask.io/download/" target="_blank" rel="noopener noreferrer">
                MetaMask
              </a>
            </li>
            <li>
              <a href="https://rabby.io/" target="_blank" rel="noopener noreferrer">
                Rabby
              </a>
            </li>
            <li>
              <a href="https://www.coinbase.com/wallet" target="_blank" rel="noopener noreferrer">
                Coinbase Wallet
              </a>
            </li>
          </ul>
          <p className="muted">Once it's installed, reload this page and press “Sign in” again. You can read everything without signing in.</p>
          <div className="row end">
            <button type="button" className="button primary" onClick={closeSignIn} autoFocus>
              Got it
            </button>
          </div>
        </div>
      ) : (
        <div className="stack">
          <h2 id="signin-title">Sign in{signInReason ? ` ${signInReason}` : ""}</h2>
          {signInStatus === "working" && (
            <>
              <p role="status">
                <span className="spinner" aria-hidden="true" /> Check your wallet.
              </p>
              <ol>
                <li>Choose the account you want to use.</li>
                <li>Approve the sign-in request. It's free and doesn't send a transaction.</li>
              </ol>
            </>
          )}
          {signInStatus === "error" && (
            <>
              <ErrorNote error={signInError} />
              <div className="row end">
                <button type="button" className="button ghost" onClick={closeSignIn}>
                  Close
                </button>
                <button type="button" className="button primary" onClick={() => startSignIn(signInReason ?? undefined)} autoFocus>
                  Try again
                </button>
              </div>
            </>
          )}
          {signInStatus === "working" && (
            <div className="row end">
              <button type="button" className="button ghost" onClick={closeSignIn}>
                Cancel
              </button>
            </div>
          )}
        </div>
      )}
    </dialog>
  );
}
