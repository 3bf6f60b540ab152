// `nestjs-customerio/health`: the health indicator for `@nestjs/terminus` 12, an optional peer. Only this entry
// imports terminus, so an application without it uses every other entry.
export { CustomerIOHealthIndicator, type CustomerIOHealthDetails } from './customerio.health.js';
export type { CustomerIOHealthThresholds } from './customerio-health.thresholds.js';
