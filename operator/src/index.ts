// Public surface of @ces/operator: run it (main.ts does), or reuse its pure parts.
export { startOperator, type OperatorDeps, type RunningOperator } from './operator.ts';
export { loadConfig, type OperatorConfig } from './config.ts';
export { render, fleetProps, type RenderOptions } from './controllers/cesstream/render.ts';
export { computeStatus, type Observed } from './controllers/cesstream/status.ts';
export { operatorRules, leaderElectionRules, type PolicyRule } from '../rbac.ts';
