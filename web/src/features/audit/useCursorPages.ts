/** Keyset paging: a stack of the cursors that led to the current page, reset when the query changes. */
import { useCallback, useState } from "react";

export interface CursorPages {
  /** The cursor of the page shown; undefined on the newest page. */
  cursor: string | undefined;
  /** 1 on the newest page. */
  page: number;
  older: (nextCursor: string) => void;
  newer: () => void;
  newest: () => void;
}

export function useCursorPages(queryKey: string): CursorPages {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: queryKey, stack: [] });
  // A new query starts on its newest page (adjusting state during render, not in an effect).
  const stack = state.key === queryKey ? state.stack : [];
  if (state.key !== queryKey) setState({ key: queryKey, stack: [] });

  const older = useCallback((next: string) => setState((s) => ({ key: s.key, stack: [...s.stack, next] })), []);
  const newer = useCallback(() => setState((s) => ({ key: s.key, stack: s.stack.slice(0, -1) })), []);
  const newest = useCallback(() => setState((s) => ({ key: s.key, stack: [] })), []);
  return { cursor: stack.at(-1), page: stack.length + 1, older, newer, newest };
}
