// Names that cross package boundaries, defined once. Each module is importable on its own too:
// `@ces/contracts/close-codes`, `@ces/contracts/protocol`, `@ces/contracts/metrics`, ...
export * from './close-codes.ts';
export * from './protocol.ts';
export * from './metrics.ts';
