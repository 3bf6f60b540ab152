import { parseArgs } from 'node:util';
import { DEFAULT_MAX_RECORDS } from '../sandbox/sandbox-options.js';
import type { CustomerIOSandboxOptions } from '../sandbox/sandbox.interface.js';

/** The command's name, as `package.json` `bin` installs it. */
export const SANDBOX_CLI_NAME = 'nestjs-customerio-sandbox';

/** Port the command listens on without `--port`. */
export const DEFAULT_CLI_PORT = 4010;

/** One option of the command: its value (none for a flag), what it takes, and what it does. */
interface CliOption {
  /** Placeholder of its value in the help; a flag has none. */
  value?: string;
  /** What the value must be, as error messages say it: "--port takes <takes>". */
  takes?: string;
  help: string;
}

const CLI_OPTIONS = {
  port: {
    value: 'PORT',
    takes: 'a port number from 0 to 65535 (0: a free port)',
    help: `port to listen on; 0 picks a free one (default ${DEFAULT_CLI_PORT})`,
  },
  host: { value: 'HOST', takes: 'an interface to listen on', help: 'interface to listen on (default 127.0.0.1)' },
  'site-id': { value: 'ID', takes: 'a non-empty site id', help: 'Track API site id accepted (default sandbox-site)' },
  'api-key': { value: 'KEY', takes: 'a non-empty key', help: 'Track API key accepted (default sandbox-api-key)' },
  'app-api-key': {
    value: 'KEY',
    takes: 'a non-empty key',
    help: 'App API key accepted (default sandbox-app-api-key)',
  },
  'pipelines-key': {
    value: 'KEY',
    takes: 'a non-empty key',
    help: 'Pipelines API key accepted (default sandbox-pipelines-key)',
  },
  region: { value: 'us|eu', takes: 'us or eu', help: 'region of the account the sandbox plays (default us)' },
  'max-records': {
    value: 'N',
    takes: 'an integer >= 1',
    help: `entries kept in each recorded collection, the oldest forgotten past it (default ${DEFAULT_MAX_RECORDS})`,
  },
  'no-strict': { help: "check only Customer.io's limits, not its published rules" },
  help: { help: 'print this help and exit' },
  version: { help: 'print the version and exit' },
} satisfies Record<string, CliOption>;

type CliOptionName = keyof typeof CLI_OPTIONS;
type CliValues = Partial<Record<CliOptionName, string | boolean>>;

/** The sandbox the command starts: always on a given port and host, the sandbox's defaults for the rest. */
export type SandboxCliOptions = CustomerIOSandboxOptions & { port: number; host: string };

/** What the command line asks for: start a sandbox, print the help or the version, or fail with `message`. */
export type SandboxCliCommand =
  | { action: 'start'; options: SandboxCliOptions }
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'error'; message: string };

/** The command's help text, from `CLI_OPTIONS`. */
export function sandboxCliUsage(): string {
  const rows = Object.entries(CLI_OPTIONS).map(([name, option]: [string, CliOption]) => [
    `--${name}${option.value ? ` ${option.value}` : ''}`,
    option.help,
  ]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${SANDBOX_CLI_NAME} [options]`,
    '',
    'A local Customer.io (Track API, App API, Pipelines API) with a live inspector: nothing leaves this machine.',
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    '',
  ].join('\n');
}

/** Parses the command's arguments (`process.argv.slice(2)`); never throws. */
export function parseSandboxCliArgs(args: readonly string[]): SandboxCliCommand {
  let values: CliValues;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(CLI_OPTIONS).map(([name, option]: [string, CliOption]) => [
          name,
          { type: option.value ? 'string' : 'boolean' },
        ]),
      ) as Record<CliOptionName, { type: 'string' | 'boolean' }>,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { action: 'error', message: parseErrorMessage(error) };
  }
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  try {
    return { action: 'start', options: startOptions(values) };
  } catch (error) {
    if (error instanceof CliOptionError) return { action: 'error', message: error.message };
    throw error;
  }
}

class CliOptionError extends Error {
  constructor(name: CliOptionName) {
    super(`--${name} takes ${(CLI_OPTIONS[name] as CliOption).takes}`);
  }
}

function startOptions(values: CliValues): SandboxCliOptions {
  const text = (name: CliOptionName): string | undefined => {
    const value = values[name] as string | undefined;
    if (value !== undefined && value.trim() === '') throw new CliOptionError(name);
    return value;
  };
  const integer = (name: CliOptionName, min: number, max: number): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(number >= min && number <= max)) throw new CliOptionError(name);
    return number;
  };
  const region = text('region');
  if (region !== undefined && region !== 'us' && region !== 'eu') throw new CliOptionError('region');
  const options: SandboxCliOptions = {
    port: integer('port', 0, 65_535) ?? DEFAULT_CLI_PORT,
    host: text('host') ?? '127.0.0.1',
    siteId: text('site-id'),
    apiKey: text('api-key'),
    appApiKey: text('app-api-key'),
    pipelinesKey: text('pipelines-key'),
    region,
    maxRecords: integer('max-records', 1, Number.MAX_SAFE_INTEGER),
    strict: values['no-strict'] !== true,
  };
  // Options not given are left out: the sandbox's defaults apply.
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as SandboxCliOptions;
}

/** `parseArgs`'s error as one line naming the option and what it takes. */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'(-[^' ]*)/.exec(message)?.[1];
  const known = quoted?.replace(/^--?/, '') as CliOptionName | undefined;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && known && known in CLI_OPTIONS) {
    const option: CliOption = CLI_OPTIONS[known];
    return option.takes ? `--${known} takes ${option.takes}` : `--${known} takes no value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted ?? message} (see --help)`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message}: this command takes options only (see --help)`;
  }
  return message;
}
