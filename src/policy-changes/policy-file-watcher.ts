import { unwatchFile, watchFile, type Stats } from 'node:fs';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PolicyService } from '../policy/policy.service.js';
import { PolicyChanges } from './policy-changes.service.js';

/**
 * With `policy.watch`, checks the policy file every interval (by its size and modification time)
 * and loads a changed file through {@link PolicyChanges} on this instance — every instance
 * watching the shared file picks the change up itself, and the first records it. A file that is
 * not a valid policy is logged with every bad entry, and the policy in force stays. Changes are
 * loaded one at a time.
 *
 * @example policy: { file: '/etc/app/policy.yaml', watch: '5s' }
 */
@Injectable()
export class PolicyFileWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionSecurityPolicy');
  private watched: string | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly policy: PolicyService,
    private readonly changes: PolicyChanges,
  ) {}

  onApplicationBootstrap(): void {
    const { file, watchMs } = this.policy.current;
    if (!file || !watchMs) return;
    this.watched = file;
    watchFile(file, { interval: watchMs, persistent: false }, (now: Stats, before: Stats) => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
      this.queue = this.queue.then(() => this.load());
    });
  }

  /** Stops watching and waits for a load under way. */
  async onApplicationShutdown(): Promise<void> {
    if (this.watched) unwatchFile(this.watched);
    this.watched = null;
    await this.queue;
  }

  private async load(): Promise<void> {
    try {
      const result = await this.changes.reload({ reason: 'file_changed' });
      if (result.changed) {
        this.logger.log(
          `policy ${result.version} in force from ${this.policy.origin}` +
            (result.recorded ? `; ${result.reauthUsers.length} user(s) must sign in again` : ''),
        );
      }
    } catch (error) {
      this.logger.error(
        `policy file change refused, the policy in force stays: ${(error as Error).message}`,
      );
    }
  }
}
