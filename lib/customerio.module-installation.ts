import { MODULE_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { CustomerIOConfigError } from './errors/customerio.errors.js';
import { MODULE_IMPORTED_TWICE, MODULE_WITHOUT_OPTIONS } from './errors/customerio.messages.js';
import { CUSTOMERIO_MODULE_OPTIONS } from './customerio.module-definition.js';

/** One module of an application, as Nest holds it. */
type ModuleRecord = ModulesContainer extends Map<string, infer M> ? M : never;

/**
 * Checks, while the application bootstraps, that it holds one configured `CustomerIOModule`: throws a
 * {@link CustomerIOConfigError} naming the importing modules when one imports the bare module (no
 * `forRoot`), or when `forRoot` / `forRootAsync` is imported more than once (each import would make a
 * client and a queue of its own, and decorated methods would report to whichever module the tracker of
 * their call belongs to). One `forRoot` imported by a shared module that re-exports it is one instance.
 */
export function checkInstallation(modules: ModulesContainer, moduleClass: Type): void {
  const instances = [...modules.values()].filter((module) => module.metatype === moduleClass);
  const bare = instances.filter((module) => !module.providers.has(CUSTOMERIO_MODULE_OPTIONS));
  if (bare.length > 0)
    throw new CustomerIOConfigError('forRoot', MODULE_WITHOUT_OPTIONS(importersOf(modules, bare, moduleClass)));
  if (instances.length > 1)
    throw new CustomerIOConfigError('isGlobal', MODULE_IMPORTED_TWICE(importersOf(modules, instances, moduleClass)));
}

/**
 * Names of the modules that import any of `targets`, once each. Nest links a global module into every
 * module, so a global one counts only where a module's `@Module({ imports })` names `CustomerIOModule`.
 */
function importersOf(modules: ModulesContainer, targets: readonly ModuleRecord[], moduleClass: Type): string[] {
  const names = new Set<string>();
  for (const target of targets) {
    for (const module of modules.values()) {
      if (!module.imports.has(target) || (target.isGlobal && !declaresImportOf(module, moduleClass))) continue;
      names.add(module.metatype?.name ?? module.name);
    }
  }
  return [...names];
}

function declaresImportOf(module: ModuleRecord, moduleClass: Type): boolean {
  const imports: unknown[] = (module.metatype && Reflect.getMetadata(MODULE_METADATA.IMPORTS, module.metatype)) ?? [];
  return imports.some(
    (entry) => entry === moduleClass || (entry as { module?: unknown } | undefined)?.module === moduleClass,
  );
}
