import { useCallback, useEffect, useState } from "react";

/**
 * Form state that survives a failed submit, a reload and navigating away (per tab).
 * Pass key = null to keep it in memory only.
 */
export function useDraft<T>(key: string | null, initial: T): [T, (v: T | ((p: T) => T)) => void, () => void] {
  const [value, setValue] = useState<T>(() => {
    if (!key) return initial;
    try {
      const raw = sessionStorage.getItem(`agora:draft:${key}`);
      if (raw !== null) return { ...initial, ...JSON.parse(raw) } as T;
    } catch {
      /* storage unavailable */
    }
    return initial;
  });

  useEffect(() => {
    if (!key) return;
    try {
      sessionStorage.setItem(`agora:draft:${key}`, JSON.stringify(value));
    } catch {
      /* storage full or unavailable */
    }
  }, [key, value]);

  const clear = useCallback(() => {
    if (key) {
      try {
        sessionStorage.removeItem(`agora:draft:${key}`);
      } catch {
        /* ignore */
      }
    }
    setValue(initial);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return [value, setValue, clear];
}
