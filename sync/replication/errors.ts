/** Error shapes PouchDB gives (its own errors, HTTP statuses, node-fetch failures). */
export function errorStatus(error: unknown): number | null {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : null;
}

export function isNotFound(error: unknown): boolean {
  return errorStatus(error) === 404;
}

/** One line for the state and the log: PouchDB errors carry `name`/`reason`, fetch errors `code`. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const parts: string[] = [];
    const status = errorStatus(error);
    if (status !== null) parts.push(String(status));
    for (const key of ['name', 'code', 'reason', 'message'] as const) {
      const value = key in error ? (error as Record<string, unknown>)[key] : undefined;
      if (typeof value === 'string' && value.length > 0 && !parts.includes(value)) parts.push(value);
    }
    if (parts.length > 0) return parts.join(' ').slice(0, 300);
  }
  return String(error).slice(0, 300);
}
