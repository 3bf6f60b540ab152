import { CustomerIOConfigError } from '../errors/customerio.errors.js';
import { PIPELINES_API_ONLY } from '../errors/customerio.messages.js';
import { anonymousEventOperation } from './anonymous-event.operation.js';
import { addDeviceOperation, deleteDeviceOperation } from './device.operation.js';
import { eventOperation, queuedEvent } from './event.operation.js';
import { trackGroupOperation } from './group.operation.js';
import { identifyOperation } from './identify.operation.js';
import type { Operation, QueuedForm } from './operation.interface.js';
import { destroyOperation } from './person-deletion.operation.js';
import { pipelinesAlias, pipelinesGroup } from './pipelines/pipelines-group.operations.js';
import {
  pipelinesAddDevice,
  pipelinesAnonymousEvent,
  pipelinesDeleteDevice,
  pipelinesDestroy,
  pipelinesEvent,
  pipelinesIdentify,
  pipelinesSuppress,
  pipelinesUnsuppress,
} from './pipelines/pipelines-person.operations.js';
import { suppressOperation, unsuppressOperation } from './suppression.operation.js';

/**
 * The operations both APIs have, each in the chosen API's wire form (see `CustomerIOApi`): the clients take their
 * set once, from the `api` option, and call it the same way whichever it is.
 */
export interface ApiOperations {
  readonly identify: typeof identifyOperation;
  readonly event: typeof eventOperation;
  /** An event's queued form alone: the caller's hot path (see `queuedEvent`). */
  readonly queuedEvent: (...args: Parameters<typeof queuedEvent>) => QueuedForm;
  readonly anonymousEvent: typeof anonymousEventOperation;
  readonly destroy: typeof destroyOperation;
  readonly suppress: typeof suppressOperation;
  readonly unsuppress: typeof unsuppressOperation;
  readonly addDevice: typeof addDeviceOperation;
  readonly deleteDevice: typeof deleteDeviceOperation;
  readonly group: typeof trackGroupOperation;
  readonly alias: (previousId: string | number, userId: string | number) => Operation;
}

/** The Track API's forms: v2 batch operations (v1 requests directly). */
export const TRACK_OPERATIONS: ApiOperations = {
  identify: identifyOperation,
  event: eventOperation,
  queuedEvent,
  anonymousEvent: anonymousEventOperation,
  destroy: destroyOperation,
  suppress: suppressOperation,
  unsuppress: unsuppressOperation,
  addDevice: addDeviceOperation,
  deleteDevice: deleteDeviceOperation,
  group: trackGroupOperation,
  alias: () => {
    throw new CustomerIOConfigError('api', PIPELINES_API_ONLY('alias', 'merge two people with mergeCustomers'));
  },
};

/** The Pipelines API's forms: its calls (semantic events for deletion, suppression and devices). */
export const PIPELINES_OPERATIONS: ApiOperations = {
  identify: pipelinesIdentify,
  event: pipelinesEvent,
  queuedEvent: pipelinesEvent,
  anonymousEvent: pipelinesAnonymousEvent,
  destroy: pipelinesDestroy,
  suppress: pipelinesSuppress,
  unsuppress: pipelinesUnsuppress,
  addDevice: pipelinesAddDevice,
  deleteDevice: pipelinesDeleteDevice,
  group: pipelinesGroup,
  alias: pipelinesAlias,
};
