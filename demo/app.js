// CES demo client: register → connect → show events with seq → ack → resume after a drop.
// Plain browser JS on purpose (no build step); the TypeScript SDK in gateway/client/ does the
// same with retries and backoff. Protocol: contracts/src/protocol.ts (`ces.v1`).
/* global document */
'use strict';

const PROTOCOL = 'ces.v1';
const RECONNECT_DELAY_MS = 1500;
const MAX_ROWS = 200;

const el = (id) => document.getElementById(id);
const state = {
  sessionId: '',
  websocketUrl: '',
  /** channel → { seq, epoch }: what this page has processed; sent back as `resume` on reconnect. */
  positions: {},
  count: 0,
  replayed: 0,
  reconnects: 0,
  gaps: 0,
  duplicates: 0,
  ws: null,
  /** channel → history head announced by the last welcome after a reconnect: seqs up to it are replays. */
  replayUntil: {},
  stopped: false,
};

function setStatus(name, message) {
  el('status').textContent = name;
  el('status').dataset.state = name;
  if (message !== undefined) el('message').textContent = message;
}

function render() {
  el('count').textContent = String(state.count);
  el('replayed').textContent = String(state.replayed);
  el('reconnects').textContent = String(state.reconnects);
  el('gaps').textContent = String(state.gaps);
  el('duplicates').textContent = String(state.duplicates);
  const channels = Object.keys(state.positions);
  // The session's own channel carries its id: shortened like the Session field above.
  el('channel').textContent = channels.map((c) => (c.startsWith('s:') ? `${c.slice(0, 10)}…` : c)).join(', ') || '–';
  el('last-seq').textContent = String(channels.length ? Math.max(...channels.map((c) => state.positions[c].seq)) : 0);
}

async function postJson(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path}: ${res.status} ${json.errorCode || ''} ${json.message || ''}`.trim());
  return json;
}

function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new session: the demo server mints it with the backend API token; the page registers it. */
async function register() {
  const { sessionId } = await postJson('/demo/session', {});
  const reg = await postJson('/api/register', { sessionId });
  state.sessionId = sessionId;
  state.websocketUrl = reg.websocketUrl;
  state.positions = {};
  el('session').textContent = `${sessionId.slice(0, 8)}…`;
}

function connect() {
  const resume = Object.keys(state.positions).length ? `?resume=${base64url(JSON.stringify(state.positions))}` : '';
  const ws = new WebSocket(state.websocketUrl + resume, PROTOCOL);
  state.ws = ws;
  state.replayUntil = {};
  ws.onmessage = (event) => onFrame(ws, JSON.parse(event.data));
  ws.onclose = (event) => onClose(ws, event);
  ws.onerror = () => setStatus('error', 'WebSocket error');
}

function onFrame(ws, frame) {
  if (frame.type === 'welcome') return onWelcome(frame);
  if (frame.type === 'message') return onMessage(ws, frame);
  if (frame.type === 'error') el('message').textContent = `server: ${frame.code} ${frame.message}`;
}

function onWelcome(frame) {
  el('node').textContent = frame.node;
  el('recovered').textContent = frame.recovered ? 'recovered: true' : 'recovered: false (history lost part of the range)';
  for (const ch of frame.channels) {
    const known = state.positions[ch.channel];
    // A new epoch means the channel's history restarted: old seqs mean nothing any more.
    if (!known || known.epoch !== ch.epoch) state.positions[ch.channel] = { seq: 0, epoch: ch.epoch };
    else if (ch.seq > known.seq) state.replayUntil[ch.channel] = ch.seq;
  }
  setStatus('connected', state.reconnects ? 'resumed' : 'connected');
  el('drop').disabled = false;
  render();
}

function onMessage(ws, frame) {
  const pos = state.positions[frame.channel] || { seq: 0, epoch: frame.epoch };
  if (pos.epoch === frame.epoch && frame.seq <= pos.seq) {
    state.duplicates += 1;
    return render();
  }
  if (pos.epoch === frame.epoch && pos.seq > 0 && frame.seq !== pos.seq + 1) state.gaps += frame.seq - pos.seq - 1;
  state.positions[frame.channel] = { seq: frame.seq, epoch: frame.epoch };
  state.count += 1;
  const replay = frame.seq <= (state.replayUntil[frame.channel] || 0);
  if (replay) state.replayed += 1;
  addRow(frame, replay);
  ws.send(JSON.stringify({ type: 'ack', channel: frame.channel, seq: frame.seq }));
  render();
}

function addRow(frame, replay) {
  const row = document.createElement('tr');
  row.dataset.seq = String(frame.seq);
  row.dataset.channel = frame.channel;
  if (replay) row.className = 'replayed';
  const data = frame.data && typeof frame.data === 'object' ? frame.data : { value: frame.data };
  const cells = [frame.seq, frame.channel, data.event || frame.event || '', JSON.stringify(data), `${frame.source.topic}/${frame.source.partition}@${frame.source.offset}`];
  cells.forEach((value, i) => {
    const td = document.createElement('td');
    td.textContent = String(value);
    if (i === 0) td.className = 'seq';
    row.appendChild(td);
  });
  const body = el('events');
  body.insertBefore(row, body.firstChild);
  while (body.children.length > MAX_ROWS) body.removeChild(body.lastChild);
}

function onClose(ws, event) {
  if (ws !== state.ws || state.stopped) return;
  el('drop').disabled = true;
  // 4500–4999: terminal (the session is gone) — start over with a new session. Else resume.
  const terminal = event.code >= 4500 && event.code <= 4999;
  setStatus('reconnecting', `closed (${event.code}${event.reason ? ` ${event.reason}` : ''}); reconnecting in ${RECONNECT_DELAY_MS} ms`);
  setTimeout(() => {
    state.reconnects += 1;
    (terminal ? register() : Promise.resolve()).then(connect, (err) => setStatus('error', String(err.message || err)));
  }, RECONNECT_DELAY_MS);
}

/** The drop button: close our side; events keep flowing into history while we are away. */
function drop() {
  if (!state.ws) return;
  el('drop').disabled = true;
  state.ws.close(1000, 'demo drop');
}

el('drop').addEventListener('click', drop);
register().then(connect, (err) => setStatus('error', String(err.message || err)));
