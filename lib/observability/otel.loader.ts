/** The OpenTelemetry API's module: `@opentelemetry/api`, an optional peer dependency. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/**
 * The OpenTelemetry API when `@opentelemetry/api` can be loaded, else `undefined`: loaded once, when this module
 * loads. Without it the module records no metrics and no traces; with it and no SDK registered, what it records
 * goes to the API's no-op meter and tracer.
 */
export const otelApi: OpenTelemetryApi | undefined = await import('@opentelemetry/api').then(
  (api) => api,
  () => undefined,
);
