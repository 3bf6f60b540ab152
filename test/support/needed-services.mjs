// Services some tests need that a machine may lack: a server binary, or a running instance of it.
// jest.config.js calls withNeededServices once: the tests that need what is missing are left out of the run and
// one line says what is missing and how to run them, or, where they must run (CI=true, or
// CUSTOMERIO_REQUIRE_<NAME>=1), the run fails with that line before any test starts.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * @typedef {object} NeededService
 * @property {string} name What the line calls the service; `CUSTOMERIO_REQUIRE_<NAME>=1` makes it required.
 * @property {string} [tests] What the line calls the tests that need it. @default `<name> tests`
 * @property {string} binary The executable the tests start (from PATH) when no instance is given.
 * @property {string} [variable] An environment variable naming what the tests use instead (an instance, or the
 *   binary's path).
 * @property {string} [how] How the line says to run the tests. @default `set <variable> or put <binary> on PATH`
 * @property {{ address: string, answers: () => Promise<boolean> }} [local] The instance the tests use when it answers.
 * @property {string[]} projects The Jest projects that need the service (left out whole).
 * @property {string[]} files Paths, from the root, that the test files needing it start with (left out of every project).
 * @property {string} [binaryTests] The tests that need the binary itself even beside an instance, as the line names
 *   them: they skip themselves with `describeNeeding(binary)` (test/support/describe-needing.ts) when the
 *   `MISSING_BINARIES` Jest global names it.
 */

/**
 * The Jest config with the tests whose service is missing left out, each missing service said in one line on
 * stderr. Throws that line instead when the service is required. Every project gets the Jest globals
 * `MISSING_BINARIES` (the binaries not on PATH) and `BINARY_PATHS` (where those on PATH are, by name).
 * @param {{ projects: object[] }} config
 * @param {NeededService[]} services
 */
export async function withNeededServices(config, services) {
  let projects = config.projects;
  const missingBinaries = [];
  const binaryPaths = {};
  for (const service of services) {
    const binary = onPath(service.binary);
    if (binary) binaryPaths[service.binary] = binary;
    const given = service.variable && process.env[service.variable];
    if (binary || given || (await service.local?.answers())) {
      if (binary || !service.binaryTests) continue;
      missingBinaries.push(service.binary);
      tell(service, service.binaryTests, `${service.binary} is not on PATH`, `put ${service.binary} on PATH`);
      continue;
    }
    if (service.binaryTests) missingBinaries.push(service.binary);
    const ignored = service.files.map((file) => `<rootDir>/${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    projects = projects
      .filter((project) => !service.projects.includes(project.displayName))
      .map((project) => ({
        ...project,
        testPathIgnorePatterns: [...(project.testPathIgnorePatterns ?? ['/node_modules/']), ...ignored],
      }));
    const which = [
      ...service.projects.map((name) => `project ${name}`),
      ...service.files.map((file) => `${file}*`),
    ].join(', ');
    const absent = [
      service.variable && `${service.variable} is not set`,
      service.local && `nothing answers on ${service.local.address}`,
      `${service.binary} is not on PATH`,
    ]
      .filter(Boolean)
      .join(', ');
    const ways =
      service.how ??
      [service.variable && `set ${service.variable}`, `put ${service.binary} on PATH`].filter(Boolean).join(' or ');
    tell(service, `${service.tests ?? `${service.name} tests`} (${which})`, `no ${service.name} (${absent})`, ways);
  }
  return {
    ...config,
    projects: projects.map((project) => ({
      ...project,
      globals: { ...project.globals, MISSING_BINARIES: missingBinaries, BINARY_PATHS: binaryPaths },
    })),
  };
}

/** Prints "<tests> skipped: <why>. To run them, <how>.", or throws it as "<tests> cannot run (required by …)" when required. */
function tell(service, tests, why, how) {
  const variable = `CUSTOMERIO_REQUIRE_${service.name.toUpperCase()}`;
  const ci = process.env.CI ?? '';
  const requiredBy =
    process.env[variable] === '1' ? `${variable}=1` : ['', '0', 'false'].includes(ci) ? '' : `CI=${ci}`;
  const line = `${tests} ${requiredBy ? `cannot run (required by ${requiredBy})` : 'skipped'}: ${why}. To run them, ${how}.`;
  if (requiredBy) throw Object.assign(new Error(line), { stack: line }); // NOTE: Jest prints the stack: the line alone
  process.stderr.write(`${line}\n`);
}

/** The path of `binary` in a PATH folder, if it is an executable file there. */
function onPath(binary) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((folder) => join(folder, binary))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return statSync(path).isFile();
      } catch {
        return false;
      }
    });
}
