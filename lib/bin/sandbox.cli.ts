#!/usr/bin/env node
// `npx nestjs-customerio-sandbox`: a local Customer.io for development and CI, until Ctrl-C (see --help).
import { readFileSync } from 'node:fs';
import { CustomerIOSandbox } from '../sandbox/customerio-sandbox.js';
import { sandboxCliBanner } from './sandbox-cli.banner.js';
import { parseSandboxCliArgs, SANDBOX_CLI_NAME, sandboxCliUsage } from './sandbox-cli.options.js';

const command = parseSandboxCliArgs(process.argv.slice(2));
switch (command.action) {
  case 'error':
    console.error(`${SANDBOX_CLI_NAME}: ${command.message}`);
    process.exitCode = 2;
    break;
  case 'help':
    process.stdout.write(sandboxCliUsage());
    break;
  case 'version': {
    // dist/bin/ -> the package's root
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${version}\n`);
    break;
  }
  case 'start': {
    const { host, port } = command.options;
    const sandbox = await CustomerIOSandbox.start(command.options).catch((error: Error) => {
      console.error(`${SANDBOX_CLI_NAME}: cannot listen on ${host}:${port}: ${error.message}`);
      process.exit(1);
    });
    process.stdout.write(sandboxCliBanner(sandbox));
    // NOTE: `once`: a second Ctrl-C while closing kills the process the default way.
    const stop = () =>
      void sandbox.close().then(() => {
        process.stdout.write('Customer.io sandbox stopped.\n');
        process.exit(0);
      });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    break;
  }
}
