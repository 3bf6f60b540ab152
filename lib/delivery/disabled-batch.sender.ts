import type { BatchOutcome } from './batch.sender.js';
import { BatchSender } from './batch.sender.js';
import type { QueuedOperation } from '../interfaces/queue-store.interface.js';

/**
 * The batch sender of mode `'disabled'`: sends nothing, and every operation of a batch ends with the
 * outcome `'disabled'` (see `CustomerIOMode`).
 */
export class DisabledBatchSender extends BatchSender {
  override send(operations: QueuedOperation[]): Promise<BatchOutcome[]> {
    return Promise.resolve([{ outcome: 'disabled', operations }]);
  }
}
