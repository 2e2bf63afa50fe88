/** Reads the `result` of a response message without trusting its shape further than needed. */
import { err, isErrorCode, type Result } from '../../core/contract/result.js';
import { isRecord } from './listeners.js';

export function readResponse<T>(message: Record<string, unknown>): Result<T> {
  const result = message['result'];
  if (!isRecord(result)) return err('INTERNAL', 'response without a result');
  if (result['ok'] === true) {
    // The station validated its output against the contract's schema; the client only types it.
    return { ok: true, value: result['value'] as T };
  }
  const error = result['error'];
  if (isRecord(error) && isErrorCode(error['code'])) {
    const message = typeof error['message'] === 'string' ? error['message'] : '';
    const details = error['details'];
    return isRecord(details) ? err(error['code'], message, details) : err(error['code'], message);
  }
  return err('INTERNAL', 'response with a malformed error');
}
