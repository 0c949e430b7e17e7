/**
 * Load process: writes keyed records to Kafka at a target rate, the send time in the value and in
 * a header, round-robin over the targets with a per-target sequence number. Started by the harness
 * with `fork`; receives one ProduceCommand and answers one ProduceResult, then exits.
 *
 * Rate control: every tick it sends what is due since the start (so a slow tick is caught up, not
 * lost), with at most MAX_IN_FLIGHT sends outstanding; when Kafka cannot keep up the offered rate
 * simply falls below the target, and the result reports the real one.
 */
import { Kafka, logLevel, type Message } from 'kafkajs';
import { SENT_AT_HEADER, nowMs, type ProduceCommand, type ProduceResult } from './payload.ts';

const TICK_MS = 10;
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 2000;

async function produce(c: ProduceCommand): Promise<ProduceResult> {
  const kafka = new Kafka({ clientId: 'ces-bench-producer', brokers: c.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const pad = 'x'.repeat(Math.max(0, c.payloadBytes));
  const sent: Record<string, number> = {};
  const next: Record<string, number> = {};
  let cursor = 0;
  let total = 0;
  let scheduled = 0;
  let errors = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const startedAt = nowMs();
  const endAt = startedAt + c.durationMs;

  const build = (count: number): Message[] => {
    const out: Message[] = [];
    for (let i = 0; i < count; i++) {
      const target = c.targets[cursor]!;
      cursor = (cursor + 1) % c.targets.length;
      const n = (next[target.key] ?? 0) + 1;
      next[target.key] = n;
      const t = nowMs();
      const payload = { b: target.key, n, t, p: pad };
      out.push({
        key: target.key,
        value: JSON.stringify(payload),
        headers: { ...target.headers, [SENT_AT_HEADER]: String(t) },
      });
    }
    return out;
  };

  while (nowMs() < endAt) {
    const due = Math.floor(((nowMs() - startedAt) / 1000) * c.rate) - scheduled;
    if (due > 0 && inFlight < MAX_IN_FLIGHT) {
      const messages = build(Math.min(due, MAX_BATCH));
      scheduled += messages.length;
      inFlight += 1;
      const p = producer
        .send({ topic: c.topic, acks: 1, messages })
        .then(() => {
          for (const m of messages) sent[m.key as string] = (sent[m.key as string] ?? 0) + 1;
          total += messages.length;
        })
        .catch(() => {
          errors += messages.length;
        })
        .finally(() => {
          inFlight -= 1;
          pending.delete(p);
        });
      pending.add(p);
      continue;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(pending);
  const endedAt = nowMs();
  await producer.disconnect();
  return { type: 'produced', sent, total, startedAt, endedAt, errors };
}

process.once('message', (msg: ProduceCommand) => {
  produce(msg).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err: unknown) => process.send!({ type: 'error', message: String(err) }, () => process.exit(1)),
  );
});
