import { describe, expect, it } from '@jest/globals';
import { parseSandboxCliArgs, sandboxCliUsage } from '../../lib/bin/sandbox-cli.options.js';

describe('nestjs-customerio-sandbox options', () => {
  it('starts on 127.0.0.1:4010, strict, with the sandbox defaults for the rest', () => {
    expect(parseSandboxCliArgs([])).toEqual({
      action: 'start',
      options: { port: 4010, host: '127.0.0.1', strict: true },
    });
  });

  it('takes every option, as `--name value` or `--name=value`', () => {
    expect(
      parseSandboxCliArgs([
        '--port=0',
        '--host',
        '0.0.0.0',
        '--site-id',
        'site',
        '--api-key=key',
        '--app-api-key',
        'app',
        '--pipelines-key',
        'cdp',
        '--region',
        'eu',
        '--max-records',
        '50',
        '--no-strict',
      ]),
    ).toEqual({
      action: 'start',
      options: {
        port: 0,
        host: '0.0.0.0',
        siteId: 'site',
        apiKey: 'key',
        appApiKey: 'app',
        pipelinesKey: 'cdp',
        region: 'eu',
        maxRecords: 50,
        strict: false,
      },
    });
  });

  it('asks for the help or the version before anything else is checked', () => {
    expect(parseSandboxCliArgs(['--port', 'x', '--help'])).toEqual({ action: 'help' });
    expect(parseSandboxCliArgs(['--version'])).toEqual({ action: 'version' });
  });

  it.each([
    [['--port', '65536'], '--port takes a port number from 0 to 65535 (0: a free port)'],
    [['--port', '-1'], '--port takes a port number from 0 to 65535 (0: a free port)'],
    [['--port=1.5'], '--port takes a port number from 0 to 65535 (0: a free port)'],
    [['--port'], '--port takes a port number from 0 to 65535 (0: a free port)'],
    [['--region', 'ap'], '--region takes us or eu'],
    [['--max-records', '0'], '--max-records takes an integer >= 1'],
    [['--max-records', 'Infinity'], '--max-records takes an integer >= 1'],
    [['--site-id='], '--site-id takes a non-empty site id'],
    [['--api-key', ' '], '--api-key takes a non-empty key'],
    [['--no-strict=1'], '--no-strict takes no value'],
    [['--strict'], 'unknown option --strict (see --help)'],
    [['-p', '1'], 'unknown option -p (see --help)'],
    [['serve'], 'unexpected argument serve: this command takes options only (see --help)'],
  ])('refuses %j: %s', (args, message) => {
    expect(parseSandboxCliArgs(args)).toEqual({ action: 'error', message });
  });

  it('lists every option in the help, with its default', () => {
    const usage = sandboxCliUsage();
    for (const flag of [
      '--port PORT',
      '--host HOST',
      '--site-id ID',
      '--region us|eu',
      '--max-records N',
      '--no-strict',
    ]) {
      expect(usage).toContain(flag);
    }
    expect(usage).toContain('(default 4010)');
    expect(usage).toContain('(default 10000)');
  });
});
