/**
 * A small client for Prometheus' HTTP API (127.0.0.1 only), for tests that check what a real
 * Prometheus sees: instant queries and the loaded rule groups.
 */
export interface QueryResult {
  status: 'success' | 'error';
  error?: string;
  resultType?: string;
  /** Number of series (vector/matrix) or 1 for a scalar/string. */
  count: number;
  values: number[];
}

interface ApiAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { value?: [number, string] }[] | [number, string] };
}

/** Runs an instant query; errors (bad PromQL) come back as `status: 'error'`, not thrown. */
export async function instantQuery(baseUrl: string, expr: string): Promise<QueryResult> {
  const res = await fetch(`${baseUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await res.json()) as ApiAnswer;
  if (body.status !== 'success' || !body.data) return { status: 'error', error: body.error ?? `HTTP ${res.status}`, count: 0, values: [] };
  const { resultType, result } = body.data;
  if (resultType === 'scalar' || resultType === 'string') return { status: 'success', resultType, count: 1, values: [Number((result as [number, string])[1])] };
  const series = result as { value?: [number, string] }[];
  return { status: 'success', resultType, count: series.length, values: series.map((s) => Number(s.value?.[1])) };
}

export interface RuleState {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  state?: string;
  lastEvaluation: string;
}

/** Every rule Prometheus loaded, with its evaluation health. */
export async function loadedRules(baseUrl: string): Promise<RuleState[]> {
  const res = await fetch(`${baseUrl}/api/v1/rules`);
  const body = (await res.json()) as { data: { groups: { rules: RuleState[] }[] } };
  return body.data.groups.flatMap((g) => g.rules);
}
