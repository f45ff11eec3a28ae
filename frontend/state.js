/* rigstream dashboard: the state several parts of the page share, in one small store. It changes only through
   set(); a part that depends on a key subscribes to it and hears when it changes. Each part keeps what is its
   own (sample buffers, alerts, rules, charts) in its own module. */

export const STALE_MS = 5000;       // a well (or the feed) silent this long shows as stale

const state = {
  well: null,                       // the well shown
  wells: [],                        // every well known, in order of appearance
  view: 'live',                     // live, history, analytics or alerts
  paused: false,                    // the live charts stand still
  windowS: 600,                     // the live charts' time window
  zoom: null,                       // {min, max} in s while the live charts are zoomed, else null
  timeoutS: 10                      // a well silent this long is timed out (the bridge's WEB_WELL_TIMEOUT_S)
};
const listeners = [];

export function get(key) { return state[key]; }

// Applies `patch` ({ key: value }); subscribers of a changed key are called once, with the changed keys.
export function set(patch) {
  const changed = Object.keys(patch).filter((k) => state[k] !== patch[k]);
  changed.forEach((k) => { state[k] = patch[k]; });
  if (!changed.length) return;
  listeners.forEach((l) => {
    if (l.keys.some((k) => changed.indexOf(k) >= 0)) l.fn(changed);
  });
}

// fn(changedKeys) after every set() that changes one of `keys`.
export function subscribe(keys, fn) { listeners.push({ keys: keys, fn: fn }); }
