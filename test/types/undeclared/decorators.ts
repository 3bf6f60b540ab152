// Compile-time tests: with no declared events, decorators take any event name and any data.
import { TrackEvent } from 'nestjs-customerio';

export class AnyService {
  @TrackEvent('anything_at_all')
  doIt(): void {}

  @TrackEvent('with_data', { data: (result: number, label: string) => ({ result, label }) })
  compute(label: string): number {
    return label.length;
  }

  // @ts-expect-error event data is an object
  @TrackEvent('bad', { data: () => 'text' })
  bad(): void {}
}
