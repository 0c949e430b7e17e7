/**
 * What a reconcile pass returns and throws (controller-runtime's `Result` / `TerminalError`).
 * Return `{ requeueAfterMs }` to poll something that cannot be watched; throw to be retried with
 * per-key exponential backoff; throw a TerminalError when retrying cannot help (invalid spec).
 */
export interface ReconcileResult {
  /** Reconcile this key again after this delay (it also runs earlier on any watch event). */
  readonly requeueAfterMs?: number;
}

/** An object key, "namespace/name". */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export function keyOf(ref: ObjectKey): string {
  return `${ref.namespace}/${ref.name}`;
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** An error that no retry can fix; the work queue drops the key until the next watch event. */
export class TerminalError extends Error {
  readonly isTerminalError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export function isTerminalError(err: unknown): err is TerminalError {
  return typeof err === 'object' && err !== null && 'isTerminalError' in err && err.isTerminalError === true;
}
