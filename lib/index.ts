// `nestjs-customerio`: what an application uses. The queue stores and their interface are in
// `nestjs-customerio/stores` (the Redis store in `nestjs-customerio/redis`), the sandbox and the testing module in
// `nestjs-customerio/testing`.

// The module and its options
export { CustomerIOModule } from './customerio.module.js';
export type {
  CustomerIOApi,
  CustomerIOMode,
  CustomerIOModuleOptions,
  CustomerIOModuleOptionsFactory,
} from './interfaces/customerio-module-options.interface.js';
export { CUSTOMERIO_CONFIG_KEYS, customerIOOptionsFromConfig } from './options/customerio-config.js';
export { CUSTOMERIO_LIMITS, CUSTOMERIO_SANDBOX } from './customerio.constants.js';

// The client, and what its calls take and give
export { CustomerIOClient } from './client/customerio.client.js';
export { CustomerIODirectClient } from './client/customerio-direct.client.js';
export type {
  CustomerIOAttributes,
  CustomerIOEventData,
  CustomerIOEvents,
  TrackEventOptions,
} from './interfaces/customerio-events.interface.js';
export type { CustomerIOReceipt } from './delivery/customerio-receipt.js';
export type { CustomerIOQueueStats } from './interfaces/customerio-queue-stats.interface.js';
export type { CustomerIODeviceOptions } from './operations/device.operation.js';
export type { IdentifyOptions } from './operations/identify.operation.js';
export type { CustomerIOMergeIdentifier, CustomerIOPersonId } from './operations/person-identifier.js';
export type {
  CustomerIOEmailMessage,
  CustomerIOPushMessage,
  CustomerIOSmsMessage,
} from './operations/transactional-message.operation.js';
export type { CustomerIOMetric, CustomerIOPushMetric } from './operations/delivery-metric.operation.js';
export type { CustomerIOBroadcastOptions } from './operations/broadcast.operation.js';
export type { CustomerIOObjectIdentifier } from './operations/object-identifier.js';
export type { CustomerIOObjectRelationship, IdentifyObjectOptions } from './operations/object.operation.js';
export type { CustomerIOGroupOptions } from './operations/group.operation.js';
export type { CustomerIORelationship } from './operations/relationship.operation.js';
export type { CustomerIOFormData } from './operations/form-submission.operation.js';

// Decorators
export { TrackEvent } from './decorators/track-event.decorator.js';
export { Identify } from './decorators/identify.decorator.js';

// Delivery: hooks and interceptors
export type { CustomerIODeliveryHooks, CustomerIODeliveryReport } from './interfaces/delivery-options.interface.js';
export type {
  CustomerIOInterceptor,
  CustomerIOOutboundRequest,
} from './interfaces/customerio-interceptor.interface.js';

// Errors
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
