import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { CustomerIOHealthIndicator } from '../lib/health/index.js';
import { CustomerIOModule } from '../lib/index.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';
import { AuthGuard } from './auth.guard.js';
import { customerIOOptions } from './customerio-options.js';
import { FeaturesController } from './features.controller.js';
import { HealthController } from './health.controller.js';
import { HomeController } from './home.controller.js';
import { MetricsController } from './metrics.controller.js';
import { PricingController } from './pricing.controller.js';
import { SandboxController } from './sandbox.controller.js';
import { UsageReportJob } from './usage-report.job.js';
import { UsageService } from './usage.service.js';

@Module({
  imports: [
    // Tests set their own environment: a developer's .env must not point them at a real workspace.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: process.env.NODE_ENV === 'test' }),
    ScheduleModule.forRoot(),
    // Without credentials, mode 'sandbox': the module starts a local Customer.io sandbox and sends there.
    CustomerIOModule.forRootAsync({ isGlobal: true, inject: [ConfigService], useFactory: customerIOOptions }),
    TerminusModule,
  ],
  controllers: [
    HomeController,
    AccountsController,
    FeaturesController,
    PricingController,
    SandboxController,
    HealthController,
    MetricsController,
  ],
  providers: [AccountsService, AuthGuard, UsageService, UsageReportJob, CustomerIOHealthIndicator],
})
export class AppModule {}
