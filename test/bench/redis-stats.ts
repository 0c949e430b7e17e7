/**
 * Redis load caused by one system: `total_commands_processed` from INFO stats, read before and
 * after the measured window of a private Redis instance (so no other test's traffic is counted).
 */
import { Redis } from 'ioredis';

export async function commandsProcessed(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('stats');
    const m = /^total_commands_processed:(\d+)/m.exec(info);
    return m ? Number(m[1]) : 0;
  } finally {
    redis.disconnect();
  }
}
