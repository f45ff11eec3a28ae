/* rigstream dashboard: the API client for rigstream-web (docs/WEB.md). Named bridge.js, not api.js: the
   bridge answers every path that starts with /api itself. The bridge may ask for a token to read
   (WEB_READ_TOKEN) and to change anything (WEB_WRITE_TOKEN). The operator's token is kept for this tab only
   (sessionStorage); every API request made here sends it as "Authorization: Bearer", and the WebSocket URL
   carries it as ?token= (browsers open WebSockets without headers). Every request that changes something
   carries "X-Rigstream: 1": a page on another site cannot add that header without a preflight the bridge
   refuses, so the bridge takes it as proof the request comes from this dashboard (docs/SECURITY.md).
   Nothing global is replaced: the rest of the page calls these helpers. */

const KEY = 'rigstream.token';
const deniedListeners = [];

export function token() {
  try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; }
}

export function setToken(t) {
  try { sessionStorage.setItem(KEY, t); } catch (e) { /* private mode: this page only */ }
}

export function clearToken() {
  try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
}

function withToken(init) {
  const t = token();
  const method = ((init && init.method) || 'GET').toUpperCase();
  const write = method !== 'GET' && method !== 'HEAD';
  if (!t && !write) return init;
  const out = Object.assign({}, init || {});
  const h = new Headers(out.headers || {});
  if (t) h.set('Authorization', 'Bearer ' + t);
  if (write) h.set('X-Rigstream', '1');
  out.headers = h;
  return out;
}

// fn(status) hears every 401 and 403 the bridge answers (the sign-in probe api/auth aside).
export function onDenied(fn) { deniedListeners.push(fn); }

// A request to the bridge's API: `path` relative to the page ('api/wells'). Resolves to the Response.
export function apiFetch(path, init) {
  return fetch(path, withToken(init)).then((r) => {
    if ((r.status === 401 || r.status === 403) && path.indexOf('api/auth') < 0)
      deniedListeners.forEach((fn) => fn(r.status));
    return r;
  });
}

// The JSON body of a GET.
export function getJson(path) {
  return apiFetch(path).then((r) => r.json());
}

// A request with a JSON body (POST, PUT); resolves to { ok, doc }, doc the JSON answer.
export function sendJson(method, path, body) {
  return apiFetch(path, { method: method, headers: { 'Content-Type': 'application/json' },
                          body: JSON.stringify(body) }).then(answer);
}

// { ok, doc } of a Response whose body is JSON (errors are JSON too).
export function answer(r) {
  return r.json().then((doc) => ({ ok: r.ok, doc: doc }));
}

// What the stored token may do: { read_auth, write_auth, can_read, can_write, token }.
export function access() {
  return apiFetch('api/auth').then((r) => r.json());
}

// The URL of the bridge's WebSocket at `path` ('/ws'), on this page's host, with the token.
export function wsUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
  let url = proto + location.host + path;
  const t = token();
  if (t) url += (url.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(t);
  return url;
}
