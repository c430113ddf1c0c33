/** The verifier key an auditor pinned in this browser (localStorage), and a hook to follow it. */
import { useSyncExternalStore } from "react";

export interface PinnedKey {
  /** The verifier key string, `<name>+<key id>+<base64 key>`. */
  verifierKey: string;
  /** When it was pinned, ISO 8601. */
  pinnedAt: string;
}

const STORAGE_KEY = "sealtrail.ledger.pinned-key";
const listeners = new Set<() => void>();
let cachedRaw: string | null = null;
let cached: PinnedKey | null = null;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled by the browser's privacy settings
  }
}

/** The pinned key, or null; a stored value that is not one counts as none. */
export function readPinnedKey(): PinnedKey | null {
  const raw = storage()?.getItem(STORAGE_KEY) ?? null;
  if (raw === cachedRaw) return cached;
  cachedRaw = raw;
  cached = null;
  if (raw) {
    try {
      const value = JSON.parse(raw) as Partial<PinnedKey>;
      if (typeof value.verifierKey === "string" && typeof value.pinnedAt === "string") {
        cached = { verifierKey: value.verifierKey, pinnedAt: value.pinnedAt };
      }
    } catch {
      /* not ours: treated as unpinned */
    }
  }
  return cached;
}

/** Pin `verifierKey` (already validated by the caller); it replaces any pinned key. */
export function pinKey(verifierKey: string, now: Date = new Date()): void {
  const value: PinnedKey = { verifierKey, pinnedAt: now.toISOString() };
  storage()?.setItem(STORAGE_KEY, JSON.stringify(value));
  listeners.forEach((l) => l());
}

export function unpinKey(): void {
  storage()?.removeItem(STORAGE_KEY);
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab pinning or unpinning.
  const onStorage = (e: StorageEvent) => {
    if (e.key === STORAGE_KEY || e.key === null) listener();
  };
  globalThis.addEventListener?.("storage", onStorage);
  return () => {
    listeners.delete(listener);
    globalThis.removeEventListener?.("storage", onStorage);
  };
}

/** The pinned key, re-rendering when it is pinned or unpinned (here or in another tab). */
export function usePinnedKey(): PinnedKey | null {
  return useSyncExternalStore(subscribe, readPinnedKey, () => null);
}
