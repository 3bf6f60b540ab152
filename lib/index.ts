export { CustomerIOModule } from './customerio.module.js';
export type { CustomerIOModuleExtras } from './customerio.module-definition.js';
export type {
  CustomerIOCommonOptions,
  CustomerIODecoratorOptions,
  CustomerIOLiveOptions,
  CustomerIOLocalOptions,
  CustomerIOMode,
  CustomerIOModuleOptions,
  CustomerIORegion,
} from './interfaces/customerio-module-options.interface.js';
export { TrackEvent, type TrackEventDecoratorOptions, type PersonMapper } from './decorators/track-event.decorator.js';
export { Identify, type IdentifyDecoratorOptions } from './decorators/identify.decorator.js';
export { CustomerIODecoratorTracker } from './decorators/customerio-decorator.tracker.js';
export type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventMap,
  CustomerIOEventName,
  CustomerIOEvents,
  CustomerIOTimestamp,
  TrackEventOptions,
} from './interfaces/customerio-events.interface.js';
export { CustomerIOClient } from './client/customerio.client.js';
export {
  CustomerIODirectClient,
  type CustomerIOBroadcastOptions,
  type CustomerIOBroadcastRecipients,
  type CustomerIOEmailMessage,
  type CustomerIOMetric,
  type CustomerIOPushMessage,
  type CustomerIOPushMetric,
  type CustomerIOSmsMessage,
} from './client/customerio-direct.client.js';
export type {
  CustomerIODeviceOptions,
  CustomerIODevicePlatform,
  IdentifyOptions,
} from './operations/customerio-payloads.js';
export type {
  CustomerIOMergeIdentifier,
  CustomerIOPersonId,
  CustomerIOPersonIdentifier,
} from './operations/person-identifier.js';
export type { CustomerIODeviceAttributes, CustomerIODeviceAttributeValue } from './operations/device-attributes.js';
export {
  CUSTOMERIO_METRICS,
  type CustomerIOChannelMetric,
  type CustomerIOMetricChannel,
  type CustomerIOMetricName,
} from './operations/delivery-metric.operation.js';
export type { CustomerIOCustomDevice } from './operations/transactional-message.operation.js';
export type { CustomerIOObjectIdentifier } from './operations/object-identifier.js';
export type { CustomerIOFormData } from './operations/form-submission.operation.js';
export type { CustomerIOObjectRelationship, IdentifyObjectOptions } from './operations/object.operation.js';
export type { CustomerIORelationship } from './operations/relationship.operation.js';
export { CustomerIOQueue } from './delivery/customerio-queue.service.js';
export type { CustomerIOQueueStats } from './interfaces/customerio-queue-stats.interface.js';
export { CustomerIOReceipt } from './delivery/receipt.registry.js';
export { CustomerIORetryInterceptor } from './transport/customerio-retry.interceptor.js';
export { MemoryQueueStore } from './stores/memory-queue.store.js';
export { SqliteQueueStore, type SqliteQueueStoreOptions } from './stores/sqlite/sqlite-queue.store.js';
export type {
  AppendResult,
  CustomerIOQueueStore,
  LeaseDeadlines,
  LeaseLimits,
  MaybePromise,
  QueueBound,
  QueuedOperation,
  SharedOutcome,
  SharedOutcomes,
} from './interfaces/queue-store.interface.js';
export type { CustomerIOInterceptor, CustomerIORequestContext } from './interfaces/customerio-interceptor.interface.js';
export type {
  CustomerIODeliveryHooks,
  CustomerIODeliveryOutcome,
  CustomerIODeliveryReport,
  CustomerIOOverflowPolicy,
  CustomerIOQueueOptions,
  CustomerIORetryOptions,
} from './interfaces/delivery-options.interface.js';
export type { CustomerIOResponseBody } from './transport/customerio-sdk.adapter.js';
export {
  CustomerIOCircuitOpenError,
  CustomerIOConfigError,
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOQueueFullError,
  CustomerIOTimeoutError,
  CustomerIOValidationError,
} from './errors/customerio.errors.js';
export { CUSTOMERIO_LIMITS, CUSTOMERIO_SANDBOX } from './customerio.constants.js';
export {
  CUSTOMERIO_CONFIG_KEYS,
  customerIOOptionsFromConfig,
  type CustomerIOConfigReader,
} from './options/customerio-config.js';
