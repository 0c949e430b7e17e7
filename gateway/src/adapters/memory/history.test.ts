import { historyContract } from './history.contract.ts';
import { MemoryHistory } from './history.ts';
import { MemoryFanout } from './fanout.ts';

historyContract('memory', { maxEntries: 5 }, async () => {
  const fanout = new MemoryFanout();
  const history = new MemoryHistory({ maxEntries: 5, dedupeWindow: 10 }, fanout);
  return { history, fanout, lose: async (ch) => history.lose(ch), expireEntries: async (ch) => history.expireEntries(ch), close: async () => fanout.close() };
});
