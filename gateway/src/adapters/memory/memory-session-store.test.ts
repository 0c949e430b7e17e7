import { MemorySessionStore } from './memory-session-store.ts';
import { sessionStoreContract } from './session-store.contract.ts';

sessionStoreContract('memory', async (options) => new MemorySessionStore(options));
