/** The moment relative time ranges are resolved against; renewed only when `key` changes. */
import { useState } from "react";

export function useAnchor(key: string): number {
  const [state, setState] = useState({ key, at: Date.now() });
  if (state.key !== key) {
    // Adjusting state during render: the new moment is used by this very render.
    const next = { key, at: Date.now() };
    setState(next);
    return next.at;
  }
  return state.at;
}
