/**
 * The results plot, written as plain SVG (no plotting library, no network): per scenario, one bar
 * per system for delivered msg/s (linear), and one bar per system for latency where p99, p95 and
 * p50 are drawn over each other from light to dark (log scale, since systems differ by orders of
 * magnitude).
 */
import type { ScenarioResult } from './scenario.ts';

const COLORS: Record<string, string[]> = {
  ces: ['#1f5fbf', '#5b8fdc', '#a9c6f0'],
  socketio: ['#2a8a3e', '#62b473', '#b2dcb9'],
  centrifugo: ['#c2571a', '#e08a55', '#f3c7a6'],
};
const W = 960;
const PANEL_H = 260;
const TOP = 40;
const LEFT = 70;
const PLOT_W = W - LEFT - 150;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, title: string): string {
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}"><title>${esc(title)}</title></rect>`;
}

interface Layout {
  scenarios: string[];
  systems: string[];
  groupW: number;
  barW: number;
}

function barX(l: Layout, si: number, yi: number): number {
  return LEFT + si * l.groupW + l.groupW * 0.1 + yi * l.barW;
}

function throughputPanel(results: ScenarioResult[], l: Layout, top: number): string[] {
  const max = Math.max(1, ...results.map((r) => Math.max(r.deliveredPerSec, r.offeredPerSec)));
  const y = (v: number): number => top + PANEL_H - (v / max) * PANEL_H;
  const out = [text(LEFT, top - 12, 'Delivered messages/s (line: offered)', 'font-weight="bold"')];
  for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(max * frac)}" y2="${y(max * frac)}" stroke="#ddd"/>`);
    out.push(text(LEFT - 6, y(max * frac) + 4, Math.round(max * frac).toLocaleString('en-US'), 'text-anchor="end"'));
  }
  for (const r of results) {
    const si = l.scenarios.indexOf(r.scenario);
    const yi = l.systems.indexOf(r.system);
    const x = barX(l, si, yi);
    out.push(rect(x, y(r.deliveredPerSec), l.barW * 0.9, top + PANEL_H - y(r.deliveredPerSec), COLORS[r.system]?.[0] ?? '#888', `${r.system} ${r.scenario}: ${Math.round(r.deliveredPerSec)} msg/s`));
    out.push(`<line x1="${x}" x2="${x + l.barW * 0.9}" y1="${y(r.offeredPerSec)}" y2="${y(r.offeredPerSec)}" stroke="#000" stroke-dasharray="3,2"/>`);
  }
  return out;
}

function latencyPanel(results: ScenarioResult[], l: Layout, top: number): string[] {
  const values = results.flatMap((r) => [r.latencyMs.p99 ?? 0]).filter((v) => v > 0);
  const maxLog = Math.ceil(Math.log10(Math.max(10, ...values)));
  const minLog = -1;
  const y = (ms: number): number => top + PANEL_H - ((Math.log10(Math.max(ms, 0.1)) - minLog) / (maxLog - minLog)) * PANEL_H;
  const out = [text(LEFT, top - 12, 'End-to-end latency, ms (log): p99 light, p95 mid, p50 dark', 'font-weight="bold"')];
  for (let e = minLog; e <= maxLog; e++) {
    out.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`);
    out.push(text(LEFT - 6, y(10 ** e) + 4, String(10 ** e), 'text-anchor="end"'));
  }
  for (const r of results) {
    const x = barX(l, l.scenarios.indexOf(r.scenario), l.systems.indexOf(r.system));
    const colors = COLORS[r.system] ?? ['#444', '#888', '#ccc'];
    const pcts: [string, number | null, string][] = [['p99', r.latencyMs.p99, colors[2]!], ['p95', r.latencyMs.p95, colors[1]!], ['p50', r.latencyMs.p50, colors[0]!]];
    for (const [name, v, color] of pcts) {
      if (v === null) continue;
      out.push(rect(x, y(v), l.barW * 0.9, top + PANEL_H - y(v), color, `${r.system} ${r.scenario} ${name}: ${v.toFixed(1)} ms`));
    }
  }
  return out;
}

export function renderSvg(results: ScenarioResult[], subtitle: string): string {
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const systems = [...new Set(results.map((r) => r.system))];
  const groupW = PLOT_W / Math.max(1, scenarios.length);
  const l: Layout = { scenarios, systems, groupW, barW: (groupW * 0.8) / Math.max(1, systems.length) };
  const top2 = TOP + PANEL_H + 80;
  const height = top2 + PANEL_H + 50;
  const labels = (top: number): string[] => scenarios.map((s, i) => text(LEFT + i * groupW + groupW / 2, top + PANEL_H + 18, s, 'text-anchor="middle"'));
  const legend = systems.map((s, i) => `${rect(LEFT + PLOT_W + 20, TOP + i * 22, 14, 14, COLORS[s]?.[0] ?? '#888', s)}${text(LEFT + PLOT_W + 40, TOP + i * 22 + 12, s)}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(LEFT, 18, `CES benchmark — ${subtitle}`, 'font-size="14" font-weight="bold"'),
    ...throughputPanel(results, l, TOP + 20),
    ...labels(TOP + 20),
    ...latencyPanel(results, l, top2),
    ...labels(top2),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
