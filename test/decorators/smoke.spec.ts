import { Controller, Get, Injectable, Module, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOClient, CustomerIOModule, TrackEvent } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';

@Injectable()
class PlanService {
  @TrackEvent('plan_viewed', { person: (_r: unknown, userId: string) => userId, data: (plan: { name: string }) => ({ plan: plan.name }) })
  view(userId: string) {
    return { name: `pro-${userId}` };
  }
}

@Controller('plans')
class PlanController {
  constructor(private readonly plans: PlanService) {}

  @Get(':id')
  @TrackEvent('route_hit', { person: (_r: unknown, id: string) => id })
  async get(@Param('id') id: string) {
    return this.plans.view(id);
  }
}

describe('decorators smoke', () => {
  let sandbox: CustomerIOSandbox;
  let app: import('@nestjs/common').INestApplication;
  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    @Module({ imports: [CustomerIOModule.forRoot(sandbox.moduleOptions())], controllers: [PlanController], providers: [PlanService] })
    class AppModule {}
    const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = ref.createNestApplication();
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('tracks a route and a provider call', async () => {
    const url = await app.getUrl();
    const response = await fetch(`${url}/plans/u1`);
    expect(await response.json()).toEqual({ name: 'pro-u1' });
    await app.get(CustomerIOClient).flush();
    expect(sandbox.events.map((e) => [e.personId, e.name, e.data])).toEqual([
      ['u1', 'plan_viewed', { plan: 'pro-u1' }],
      ['u1', 'route_hit', {}],
    ]);
  });
});
