import type { ReactNode } from "react";
import { useSession } from "../lib/session";

/** A page of the viewer's own things (`/saved`, `/blocked`): its content for a signed-in viewer,
 * else an invitation to sign in `reason` (e.g. "to see what you saved"). */
export function SignedInPage({ title, reason, children }: { title: string; reason: string; children: () => ReactNode }) {
  const { viewer, checking, startSignIn } = useSession();
  return (
    <div className="page narrow">
      <h1>{title}</h1>
      {viewer
        ? children()
        : !checking && (
            <div className="signin-prompt">
              <p>Sign in {reason}.</p>
              <button type="button" className="button primary" onClick={() => startSignIn(reason)}>
                Sign in
              </button>
            </div>
          )}
    </div>
  );
}
