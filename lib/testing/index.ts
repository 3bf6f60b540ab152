export { CustomerIOTestingModule, type CustomerIOTestingModuleOptions } from './customerio-testing.module.js';
export { CustomerIOSandbox } from '../sandbox/customerio-sandbox.js';
export type * from '../sandbox/sandbox.interface.js';
/** The token of CustomerIOModule's raw options, for `overrideProvider(...)` in tests. */
export { CUSTOMERIO_MODULE_OPTIONS } from '../customerio.module-definition.js';
