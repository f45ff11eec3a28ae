/* rigstream dashboard: the live feed, rigstream-web's WebSocket (/ws, docs/WEB.md). Connects, subscribes,
   reconnects with a growing pause (1 s up to 8 s), shows its state in the header (#conn: connecting, live,
   stale, offline) and hands each message to the handler registered for its "type". */
import { $ } from './dom.js';
import { wsUrl } from './bridge.js';
import { STALE_MS } from './state.js';

const handlers = {};
let ws = null;
let retryMs = 1000;
let lastMsgAt = 0;
let options = {};

// fn(message) for every message of this type ('sample', 'alert'...).
export function on(type, fn) { handlers[type] = fn; }

function setConn(s, text) {
  const c = $('conn');
  c.dataset.state = s;
  c.textContent = text || s;
}

function onMessage(ev) {
  lastMsgAt = Date.now();
  if ($('conn').dataset.state !== 'live') setConn('live');
  let m;
  try { m = JSON.parse(ev.data); } catch (e) { return; }
  const fn = handlers[m.type];
  if (fn) fn(m);
}

function open() {
  setConn('connecting');
  let sock;
  try { sock = new WebSocket(wsUrl('/ws')); } catch (e) { retry(); return; }
  ws = sock;
  sock.onopen = () => {
    retryMs = 1000;
    setConn('live');
    sock.send(JSON.stringify(options.subscription()));
    if (options.onOpen) options.onOpen();
  };
  sock.onmessage = onMessage;
  sock.onclose = () => { ws = null; retry(); };
  sock.onerror = () => { try { sock.close(); } catch (e) { /* closed already */ } };
}

function retry() {
  const s = Math.round(retryMs / 1000);
  setConn('offline', 'offline: retry in ' + s + ' s');
  setTimeout(open, retryMs);
  retryMs = Math.min(retryMs * 2, 8000);
}

// Starts the feed. opts.subscription(): the subscribe message to send on each (re)connect; opts.onOpen():
// called after it.
export function start(opts) {
  options = opts;
  open();
  setInterval(() => {
    if (ws && ws.readyState === 1 && Date.now() - lastMsgAt > STALE_MS) setConn('stale', 'no data');
  }, 1000);
}
