import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { prometheusExporter } from './metrics.js';

/** `GET /metrics`: the module's OpenTelemetry metrics, as Prometheus text. */
@Controller('metrics')
export class MetricsController {
  @Get()
  metrics(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    prometheusExporter.getMetricsRequestHandler(request, response);
  }
}
