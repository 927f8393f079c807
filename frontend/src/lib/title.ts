import { useEffect } from "react";

/** Sets the tab's title (screen readers announce it on navigation). */
export function useTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · Agora` : "Agora";
  }, [title]);
}
