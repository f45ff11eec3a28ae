// Signing in to the dashboard. rigstream-web may ask for a token to change
// anything (WEB_WRITE_TOKEN: acknowledge, thresholds) and even to read
// (WEB_READ_TOKEN). The operator enters it here; it is kept for this tab
// only (sessionStorage) and sent as "Authorization: Bearer" on every API
// request, and as ?token= on the WebSocket, which browsers open without
// headers. A 401 or 403 from the bridge shows what to do. Loaded before
// app.js, which needs no change for any of this.
(function () {
  'use strict';
  var KEY = 'rigstream.token';
  var nativeFetch = window.fetch.bind(window);
  var NativeWebSocket = window.WebSocket;
  var access = null;   // the bridge's answer to api/auth

  function token() {
    try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; }
  }

  function isApi(url) {
    var u = new URL(url, location.href);
    return u.origin === location.origin && u.pathname.indexOf('/api/') === 0;
  }

  function withToken(init) {
    var t = token();
    if (!t) return init;
    init = Object.assign({}, init || {});
    var h = new Headers(init.headers || {});
    h.set('Authorization', 'Bearer ' + t);
    init.headers = h;
    return init;
  }

  function el(id) { return document.getElementById(id); }

  function say(text) {
    var m = el('auth-msg');
    if (!m) return;
    m.textContent = text || '';
    m.hidden = !text;
  }

  // Called for every 401 and 403 the bridge answers.
  function denied(status) {
    if (status === 403) {
      say('Your token may only read: sign in with the write token to acknowledge alerts or change thresholds.');
    } else {
      say(token() ? 'The bridge refused the token: sign in again.'
                  : 'Sign in first: the dashboard needs a token for this.');
    }
    open();
  }

  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : input.url;
    if (!isApi(url)) return nativeFetch(input, init);
    return nativeFetch(input, withToken(init)).then(function (r) {
      if ((r.status === 401 || r.status === 403) && url.indexOf('api/auth') < 0) denied(r.status);
      return r;
    });
  };

  // app.js opens ws(s)://host/ws; the token rides in the query.
  window.WebSocket = function (url, protocols) {
    var t = token();
    if (t && /\/ws(\?|$)/.test(url)) url += (url.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(t);
    return protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
  };
  window.WebSocket.prototype = NativeWebSocket.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { window.WebSocket[k] = NativeWebSocket[k]; });

  function label() {
    var b = el('auth-btn');
    if (!b || !access) return;
    b.hidden = !access.read_auth && !access.write_auth;
    b.textContent = !access.token ? 'Sign in'
      : access.can_write ? 'Signed in: read and write' : access.can_read ? 'Signed in: read only' : 'Sign in';
    b.dataset.state = access.can_write ? 'write' : access.can_read && access.token ? 'read' : 'none';
  }

  function check() {
    return nativeFetch('api/auth', withToken({})).then(function (r) { return r.json(); }).then(function (a) {
      access = a;
      label();
      return a;
    });
  }

  function open() {
    var d = el('auth-dialog');
    if (d && !d.open) {
      el('auth-out').hidden = !token();
      d.showModal();
      el('auth-token').focus();
    }
  }

  function signIn(t) {
    try { sessionStorage.setItem(KEY, t); } catch (e) { /* private mode: this page only */ }
    return check().then(function (a) {
      if (!a.can_read || (!a.can_write && a.write_auth && !a.read_auth)) {
        try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
        el('auth-status').textContent = 'Wrong token.';
        check();
        return false;
      }
      // Reload so the live feed and every view start again with the token.
      location.reload();
      return true;
    });
  }

  function build() {
    var header = document.querySelector('header');
    var btn = document.createElement('button');
    btn.id = 'auth-btn';
    btn.type = 'button';
    btn.hidden = true;
    btn.title = 'Sign in with the token the bridge was given (WEB_WRITE_TOKEN or WEB_READ_TOKEN)';
    btn.addEventListener('click', open);
    var msg = document.createElement('span');
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
    var d = document.createElement('dialog');
    d.id = 'auth-dialog';
    d.innerHTML = '<form method="dialog"><h2>Sign in</h2>' +
      '<p>Token (ask whoever set up this laptop):</p>' +
      '<input id="auth-token" type="password" autocomplete="current-password" aria-label="token" size="40">' +
      '<p id="auth-status" class="status" role="status"></p>' +
      '<button id="auth-ok" value="ok">Sign in</button> <button id="auth-out" value="out" type="button">Sign out</button> ' +
      '<button value="cancel" formnovalidate>Cancel</button></form>';
    document.body.appendChild(d);
    d.querySelector('form').addEventListener('submit', function (ev) {
      if (ev.submitter && ev.submitter.value === 'cancel') return;
      ev.preventDefault();
      var t = el('auth-token').value.trim();
      if (t) signIn(t);
    });
    el('auth-out').addEventListener('click', function () {
      try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
      location.reload();
    });
    check().then(function (a) {
      if (a.read_auth && !a.can_read) { say('Sign in to see the dashboard.'); open(); }
    }).catch(function () { /* bridge down: app.js shows that */ });
  }

  window.rsAuth = { token: token, signIn: signIn, check: check };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build);
  else build();
})();
