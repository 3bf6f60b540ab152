import { Logger } from '@nestjs/common';
import { DECORATOR_WITHOUT_APP } from '../errors/customerio.messages.js';
import type { CallOutcome, DecoratedCallSpec } from './decorated-call.interface.js';
import { decoratorOwners } from './decorator-owners.registry.js';
import { incomingRequestStorage } from './incoming-request.context.js';

/**
 * Hands a settled call on `instance` to its application's tracker: the one that claimed the instance, else the
 * one serving the current incoming request (a REQUEST-scoped instance), else the one that claims it now (an
 * instance called before its application's onModuleInit). Found in none, the call is not tracked and the first
 * such call of each method logs a warning.
 */
export function settleDecoratedCall(
  spec: DecoratedCallSpec,
  instance: unknown,
  args: unknown[],
  outcome: CallOutcome,
): void {
  const tracker =
    decoratorOwners.ownerOf(instance) ?? incomingRequestStorage.getStore()?.tracker ?? decoratorOwners.lookUp(instance);
  if (tracker) tracker.settle(spec, args, outcome);
  else if (decoratorOwners.firstMiss(spec.label)) {
    new Logger('CustomerIO').warn(DECORATOR_WITHOUT_APP(spec.label, decoratorOwners.running), {
      event: 'customerio.decorator.without-app',
      decorator: spec.label,
    });
  }
}
