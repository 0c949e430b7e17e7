/**
 * The operator's prom-client metrics, named by the contract (`@ces/contracts/metrics`
 * OperatorMetrics) that the operator dashboard and alerts query. One registry per operator
 * instance, so two in-process operators in a test do not share series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OperatorMetrics as M } from '@ces/contracts/metrics';

export interface OperatorMetricSet {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'result'>;
  readonly reconcileDurationSeconds: Histogram;
  readonly reconcileErrorsTotal: Counter<'phase'>;
  readonly queueDepth: Gauge;
  readonly queueRetriesTotal: Counter;
  readonly managedStreams: Gauge;
  readonly leader: Gauge;
  readonly topicOperationsTotal: Counter<'operation'>;
}

export function createMetrics(options: { defaultMetrics: boolean }): OperatorMetricSet {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'ces_operator_' });
  const registers = [registry];
  return {
    registry,
    reconcileTotal: new Counter({ name: M.reconcileTotal.name, help: M.reconcileTotal.help, labelNames: ['result'], registers }),
    reconcileDurationSeconds: new Histogram({
      name: M.reconcileDurationSeconds.name,
      help: M.reconcileDurationSeconds.help,
      buckets: [...M.reconcileDurationSeconds.buckets],
      registers,
    }),
    reconcileErrorsTotal: new Counter({ name: M.reconcileErrorsTotal.name, help: M.reconcileErrorsTotal.help, labelNames: ['phase'], registers }),
    queueDepth: new Gauge({ name: M.queueDepth.name, help: M.queueDepth.help, registers }),
    queueRetriesTotal: new Counter({ name: M.queueRetriesTotal.name, help: M.queueRetriesTotal.help, registers }),
    managedStreams: new Gauge({ name: M.managedStreams.name, help: M.managedStreams.help, registers }),
    leader: new Gauge({ name: M.leader.name, help: M.leader.help, registers }),
    topicOperationsTotal: new Counter({ name: M.topicOperationsTotal.name, help: M.topicOperationsTotal.help, labelNames: ['operation'], registers }),
  };
}
