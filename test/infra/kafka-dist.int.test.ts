/**
 * Populating the Kafka jar cache with the real `mvn`, into a private CES_CACHE_DIR: partial
 * downloads are never taken for complete ones, parallel callers download once, and a complete
 * cache is used without Maven at all. (Maven's own ~/.m2 makes the repeat downloads local.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { needs } from '../support/infra.ts';
import { defaultKafkaVersion, ensureKafkaDist } from './kafka-dist.ts';

const kafka = needs('kafka'); // the shared broker proves java+mvn work here; this suite needs both

describe('Kafka jar cache', { skip: kafka.skip }, () => {
  let cache: string;
  const saved = process.env.CES_CACHE_DIR;
  const home = () => path.join(cache, `kafka-${defaultKafkaVersion}`);

  before(() => {
    cache = mkdtempSync(path.join(os.tmpdir(), 'ces-cache-'));
    process.env.CES_CACHE_DIR = cache;
  });
  after(() => {
    if (saved === undefined) delete process.env.CES_CACHE_DIR;
    else process.env.CES_CACHE_DIR = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it('replaces a partial download and interrupted leftovers with a complete, marked runtime; parallel callers agree', async () => {
    // What a killed run leaves behind: a libs/ whose marker is missing or stale, and a temp folder.
    mkdirSync(path.join(home(), 'libs'), { recursive: true });
    writeFileSync(path.join(home(), 'libs', 'kafka_2.13-truncated.jar'), 'partial');
    writeFileSync(path.join(home(), 'libs', '.complete'), 'stale-stamp');
    mkdirSync(path.join(home(), 'libs.tmp-999999'), { recursive: true });

    const [a, b] = await Promise.all([ensureKafkaDist(), ensureKafkaDist()]);
    assert.equal(a.libs, b.libs);
    const jars = readdirSync(a.libs);
    assert.ok(jars.includes(`kafka_2.13-${defaultKafkaVersion}.jar`), jars.join(' '));
    assert.ok(jars.includes('slf4j-reload4j-1.7.36.jar'));
    assert.ok(!jars.includes('kafka_2.13-truncated.jar'));
    assert.ok(!jars.some((j) => j.startsWith('kafka-tools-3') || j.startsWith('connect-runtime')), 'broker classpath pulled in kafka-tools');
    assert.notEqual(readFileSync(path.join(a.libs, '.complete'), 'utf8'), 'stale-stamp');
    assert.deepEqual(readdirSync(home()).filter((e) => e.startsWith('libs.tmp-')), []);
  });

  it('a complete cache is used as is, even with Maven unavailable', async () => {
    const savedPath = process.env.PATH;
    // java must stay reachable (the runtime checks for it); mvn must not be.
    process.env.PATH = path.dirname(await realJava());
    try {
      const dist = await ensureKafkaDist();
      assert.ok(readdirSync(dist.libs).includes(`kafka_2.13-${defaultKafkaVersion}.jar`));
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('refuses an unsupported version before touching the cache', async () => {
    await assert.rejects(ensureKafkaDist('4.1.1'), /3\.x only/);
    assert.equal(existsSync(path.join(cache, 'kafka-4.1.1')), false);
  });
});

async function realJava(): Promise<string> {
  const { runOk } = await import('./procs.ts');
  return (await runOk('sh', ['-c', 'readlink -f "$(command -v java)"'])).trim();
}
