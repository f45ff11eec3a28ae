/* rigstream dashboard: signing in. rigstream-web may ask for a token to change anything (WEB_WRITE_TOKEN:
   acknowledge, thresholds) and even to read (WEB_READ_TOKEN). This adds a Sign in button to the header when the
   bridge asks for one, and the dialog the operator enters it in (kept for this tab only, by bridge.js, which sends
   it with every request). A 401 or 403 from the bridge shows what to do and opens the dialog. */
import { $ } from './dom.js';
import * as api from './bridge.js';

let access = null;                  // the bridge's answer to api/auth

function say(text) {
  const m = $('auth-msg');
  if (!m) return;
  m.textContent = text || '';
  m.hidden = !text;
}

function label() {
  const b = $('auth-btn');
  if (!b || !access) return;
  b.hidden = !access.read_auth && !access.write_auth;
  b.textContent = !access.token ? 'Sign in'
    : access.can_write ? 'Signed in: read and write' : access.can_read ? 'Signed in: read only' : 'Sign in';
  b.dataset.state = access.can_write ? 'write' : access.can_read && access.token ? 'read' : 'none';
}

function check() {
  return api.access().then((a) => {
    access = a;
    label();
    return a;
  });
}

function open() {
  const d = $('auth-dialog');
  if (d && !d.open) {
    $('auth-out').hidden = !api.token();
    d.showModal();
    $('auth-token').focus();
  }
}

// Called for every 401 and 403 the bridge answers.
function denied(status) {
  if (status === 403) {
    say('Your token may only read: sign in with the write token to acknowledge alerts or change thresholds.');
  } else {
    say(api.token() ? 'The bridge refused the token: sign in again.'
                    : 'Sign in first: the dashboard needs a token for this.');
  }
  open();
}

function signIn(t) {
  api.setToken(t);
  return check().then((a) => {
    if (!a.can_read || (!a.can_write && a.write_auth && !a.read_auth)) {
      api.clearToken();
      $('auth-status').textContent = 'Wrong token.';
      check();
      return false;
    }
    // Reload so the live feed and every view start again with the token.
    location.reload();
    return true;
  });
}

function build() {
  const header = document.querySelector('header');
  const btn = document.createElement('button');
  btn.id = 'auth-btn';
  btn.type = 'button';
  btn.hidden = true;
  btn.title = 'Sign in with the token the bridge was given (WEB_WRITE_TOKEN or WEB_READ_TOKEN)';
  btn.addEventListener('click', open);
  const msg = document.createElement('span');
  msg.id = 'auth-msg';
  // Amber, steady: the blinking red banner is kept for critical alerts.
  msg.style.cssText = 'background: var(--warn); color: #000; font-weight: bold; padding: 4px 12px; ' +
    'border-radius: 4px;';
  msg.setAttribute('role', 'alert');
  msg.hidden = true;
  if (header) {
    header.insertBefore(msg, header.querySelector('.spacer'));
    header.appendChild(btn);
  }
  const d = document.createElement('dialog');
  d.id = 'auth-dialog';
  d.innerHTML = '<form method="dialog"><h2>Sign in</h2>' +
    '<p>Token (ask whoever set up this laptop):</p>' +
    '<input id="auth-token" type="password" autocomplete="current-password" aria-label="token" size="40">' +
    '<p id="auth-status" class="status" role="status"></p>' +
    '<button id="auth-ok" value="ok">Sign in</button> <button id="auth-out" value="out" type="button">Sign out</button> ' +
    '<button value="cancel" formnovalidate>Cancel</button></form>';
  document.body.appendChild(d);
  d.querySelector('form').addEventListener('submit', (ev) => {
    if (ev.submitter && ev.submitter.value === 'cancel') return;
    ev.preventDefault();
    const t = $('auth-token').value.trim();
    if (t) signIn(t);
  });
  $('auth-out').addEventListener('click', () => {
    api.clearToken();
    location.reload();
  });
}

// Builds the sign-in controls and asks the bridge what the stored token may do; opens the dialog by itself
// when reading needs a token.
export function start() {
  build();
  api.onDenied(denied);
  check().then((a) => {
    if (a.read_auth && !a.can_read) { say('Sign in to see the dashboard.'); open(); }
  }).catch(() => { /* bridge down: the connection indicator shows that */ });
}
