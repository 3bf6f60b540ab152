// `nestjs-customerio/testing`: the testing module, the local Customer.io sandbox, and the queue store contract.
export { CustomerIOTestingModule, type CustomerIOTestingModuleOptions } from './customerio-testing.module.js';
export { CUSTOMERIO_MODULE_OPTIONS } from '../customerio.module-definition.js';
export { CustomerIOSandbox } from '../sandbox/customerio-sandbox.js';
export type { CustomerIOSandboxOptions, SandboxModuleOptions } from '../sandbox/sandbox.interface.js';
export type {
  FaultMatch,
  SandboxFaultOptions,
  SandboxResetFaultOptions,
  SandboxStatusFaultOptions,
} from '../sandbox/sandbox-faults.interface.js';
export type {
  SandboxAlias,
  SandboxBatch,
  SandboxBroadcast,
  SandboxCounts,
  SandboxDevice,
  SandboxDroppedCall,
  SandboxEvent,
  SandboxFormSubmission,
  SandboxMerge,
  SandboxObject,
  SandboxPerson,
  SandboxRequestRecord,
  SandboxTransactional,
  SandboxTransactionalKind,
  SandboxUnsubscribe,
} from '../sandbox/sandbox-records.interface.js';
/**
 * The queue store contract, as checks for any test runner, for a store of your own:
 * `for (const check of queueStoreContract((space) => new MyStore(space))) it(check.name, check.run)`.
 */
export {
  queueStoreContract,
  type QueueStoreCheck,
  type QueueStoreContractOptions,
  type QueueStoreMaker,
} from './queue-store.contract.js';
