import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * The OpenTelemetry metrics SDK with a Prometheus exporter, registered as the global meter provider when this file
 * is first imported: before `AppModule` creates the CustomerIOModule, which takes its meter then. The exporter
 * starts no server of its own: `GET /metrics` serves what it collects (see MetricsController).
 */
export const prometheusExporter = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheusExporter] }));
