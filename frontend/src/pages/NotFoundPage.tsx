import type { ReactNode } from "react";
import { Link } from "react-router";
import { useTitle } from "../lib/title";

export function NotFoundPage({ title = "Page not found", children }: { title?: string; children?: ReactNode }) {
  useTitle(title);
  return (
    <div className="page narrow">
      <div className="card center">
        <h1>{title}</h1>
        {children ?? <p>The page you're looking for isn't here. It may have moved or been deleted.</p>}
        <p>
          <Link to="/" className="button primary">
            Go to the front page
          </Link>
        </p>
      </div>
    </div>
  );
}
