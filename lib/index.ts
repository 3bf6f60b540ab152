export { CustomerIOModule } from './customerio.module.js';
export type { CustomerIOModuleExtras } from './customerio.module-definition.js';
export type {
  CustomerIOCommonOptions,
  CustomerIODecoratorOptions,
  CustomerIOLiveOptions,
  CustomerIOLocalOptions,
  CustomerIOMode,
  CustomerIOModuleOptions,
  CustomerIOModuleOptionsFactory,
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
export { CustomerIODirectClient } from './client/customerio-direct.client.js';
export type { CustomerIOBroadcastOptions, CustomerIOBroadcastRecipients } from './operations/broadcast.operation.js';
export type { CustomerIOMetric, CustomerIOPushMetric } from './operations/delivery-metric.operation.js';
export type {
  CustomerIOEmailMessage,
  CustomerIOPushMessage,
  CustomerIOSmsMessage,
} from './operations/transactional-message.operation.js';
export type { CustomerIODeviceOptions, CustomerIODevicePlatform } from './operations/device.operation.js';
export type { IdentifyOptions } from './operations/identify.operation.js';
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
export { CustomerIOReceipt } from './delivery/customerio-receipt.js';
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
export type {
  CustomerIOInterceptor,
  CustomerIOOutboundRequest,
} from './interfaces/customerio-interceptor.interface.js';
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
