import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { CUSTOMERIO_SANDBOX, CustomerIOClient, type CustomerIOQueueStats } from '../lib/index.js';
import type { CustomerIOSandbox } from '../lib/testing/index.js';
import { renderSandboxPage } from './sandbox-page.js';

/** What reached the sandbox, and the queue's counters; sandbox mode only (404 otherwise). */
@Controller('customerio')
export class SandboxController {
  constructor(
    @Inject(CUSTOMERIO_SANDBOX) private readonly sandbox: CustomerIOSandbox | null,
    private readonly customerio: CustomerIOClient,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  page(): string {
    return renderSandboxPage(this.#sandbox(), this.customerio.stats);
  }

  @Get('stats')
  stats(): Readonly<CustomerIOQueueStats> {
    this.#sandbox();
    return this.customerio.stats;
  }

  #sandbox(): CustomerIOSandbox {
    if (!this.sandbox) throw new NotFoundException('the sandbox pages are served in sandbox mode only');
    return this.sandbox;
  }
}
