// Public surface of @ces/cdk8s: the constructs the operator and the chart app share.
export * from './gateway-fleet.ts';
