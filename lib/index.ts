export { CustomerIOModule } from './customerio.module.js';
export type { CustomerIOModuleExtras } from './customerio.module-definition.js';
export type { CustomerIOModuleOptions, CustomerIORegion } from './interfaces/customerio-module-options.interface.js';
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
export {
  CustomerIOClient,
  type CustomerIOBroadcastRecipients,
  type CustomerIODeviceOptions,
  type CustomerIOEmailMessage,
  type CustomerIOMetric,
  type CustomerIOPersonId,
  type CustomerIOPersonIdentifier,
  type CustomerIOPushMessage,
  type CustomerIOPushMetric,
  type CustomerIOSmsMessage,
  type IdentifyOptions,
} from './client/customerio.client.js';
export type { CustomerIOResponseBody } from './client/customerio-sdk.adapter.js';
export {
  CustomerIOConfigError,
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOTimeoutError,
  CustomerIOValidationError,
} from './client/customerio.errors.js';
export { CUSTOMERIO_LIMITS } from './customerio.constants.js';
export {
  CUSTOMERIO_CONFIG_KEYS,
  customerIOOptionsFromConfig,
  type CustomerIOConfigReader,
} from './options/customerio-config.js';
