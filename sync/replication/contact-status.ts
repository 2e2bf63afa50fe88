/**
 * Whether central was reached, since when it was not, and the last error: the part of the sync
 * state that outlives a restart (offline limits count from `offlineSince`). Pure transitions;
 * the engine stores the result in the station database's `_local/td-sync-status`.
 */
export interface ContactStatus {
  readonly online: boolean;
  readonly lastSuccessAt: string | null;
  readonly offlineSince: string | null;
  readonly lastError: { readonly at: string; readonly message: string } | null;
}

export const NEVER_CONTACTED: ContactStatus = { online: false, lastSuccessAt: null, offlineSince: null, lastError: null };

/** A complete push + pull round. The last error stays: the screen shows it with its time. */
export function afterSuccess(status: ContactStatus, at: string): ContactStatus {
  return { online: true, lastSuccessAt: at, offlineSince: null, lastError: status.lastError };
}

/** A failed contact: off line since the first failure after the last success (kept on later failures). */
export function afterFailure(status: ContactStatus, at: string, message: string): ContactStatus {
  return { online: false, lastSuccessAt: status.lastSuccessAt, offlineSince: status.offlineSince ?? at, lastError: { at, message } };
}

/** A stored status, checked field by field: a damaged or older document must not stop sync. */
export function readContactStatus(doc: Readonly<Record<string, unknown>> | null): ContactStatus {
  if (!doc) return NEVER_CONTACTED;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const error = doc.lastError;
  const lastError =
    typeof error === 'object' && error !== null && 'at' in error && 'message' in error && typeof error.at === 'string' && typeof error.message === 'string'
      ? { at: error.at, message: error.message }
      : null;
  return { online: doc.online === true, lastSuccessAt: text(doc.lastSuccessAt), offlineSince: text(doc.offlineSince), lastError };
}
