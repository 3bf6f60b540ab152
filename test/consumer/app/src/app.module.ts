// The README's quick start, with the SQLite store.
import { Module } from '@nestjs/common';
import { CustomerIOModule } from 'nestjs-customerio';
import { AccountService } from './account.service.js';
import { SignupService } from './signup.service.js';

@Module({
  imports: [
    CustomerIOModule.forRoot({
      siteId: process.env.CUSTOMERIO_SITE_ID!,
      apiKey: process.env.CUSTOMERIO_API_KEY!,
      region: 'eu',
      trackUrl: process.env.CUSTOMERIO_TRACK_URL,
      isGlobal: true,
      queue: { store: 'sqlite', sqlite: { path: process.env.CUSTOMERIO_QUEUE_FILE! } },
    }),
  ],
  providers: [SignupService, AccountService],
})
export class AppModule {}
