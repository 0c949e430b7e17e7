/**
 * kafkajs 2.2.4 (the Kafka health probe uses it) passes negative delays to setTimeout, and Node 24
 * prints a TimeoutNegativeWarning for it. Harmless; this keeps it off the terminal of the infra CLI
 * and the test runner while every other warning is still printed.
 */
export function hideKafkajsTimerWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') console.error(`(node:${process.pid}) ${warning.name}: ${warning.message}`);
  });
}
