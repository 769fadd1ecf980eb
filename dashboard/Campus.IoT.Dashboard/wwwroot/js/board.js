/*
 * Campus.IoT guard-room alarm board.
 * Plain script (no framework, no build step, no external URLs).
 * Needs: lib/signalr/signalr.min.js (window.signalR) and js/i18n.js (window.CampusI18n).
 *
 * All data from the server is put into the DOM with textContent / attributes only.
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;
  var pad2 = window.CampusCommon.pad2;
  var parseTime = window.CampusCommon.parseTime;
  var formatClock = window.CampusCommon.localClock;

  var I18N = window.CampusI18n;
  var t = I18N.t;

  // ---- Backend contract --------------------------------------------------
  var API_ALARMS = '/api/alarms';
  var HUB_URL = '/hubs/live';
  // The live groups to join: '*' for a user of every school, else one per school (from GET /api/auth/me).
  var SITE_GROUPS = ['*'];

  var OPEN_STATES = { active_unack: true, active_ack: true, cleared_unack: true };
  var UNACK_STATES = { active_unack: true, cleared_unack: true };
  var SEVERITY_RANK = { critical: 0, major: 1, minor: 2, warning: 3 };

  // Reconnect forever: 0, 2, 5, 10 s, then every 10 s.
  var RETRY_DELAYS_MS = [0, 2000, 5000, 10000];
  var RETRY_MAX_MS = 10000;
  // "reconnecting" for longer than this is shown as "disconnected" (red).
  var RECONNECTING_ESCALATE_MS = 15000;
  // Belt and braces: re-fetch the full list this often even while connected.
  var RESYNC_INTERVAL_MS = 30000;
  var FETCH_RETRY_MS = 10000;
  var ACK_TIMEOUT_MS = 15000;
  var FETCH_TIMEOUT_MS = 15000;
  var RECENTLY_CLEARED_MS = 30 * 60 * 1000;
  var RECENTLY_CLEARED_MAX = 3;
  var TOMBSTONE_MAX = 500;

  var ACK_BY_KEY = 'campusIoT.board.ackBy';

  var DEMO = new URLSearchParams(window.location.search).has('demo');

  // ---- State -------------------------------------------------------------
  var state = {
    alarms: new Map(),        // id -> alarm (open alarms only)
    tombstones: new Map(),    // id -> updatedAt ms of alarms that left the board
    recentlyCleared: [],      // [{ alarm, at }]
    pushSeq: 0,               // incremented for every alarm pushed by the hub
    lastPushSeq: new Map(),   // id -> pushSeq at which it was last pushed
    conn: 'connecting',       // connecting | connected | reconnecting | disconnected | nolib | demo
    connSince: Date.now(),
    fetchFailed: false,
    fetchedOnce: false,       // a GET /api/alarms has succeeded at least once
    lastDataAt: null,
    heroId: null
  };

  // ---- Small helpers -----------------------------------------------------
  function $(id) { return document.getElementById(id); }

  /** HH:mm:ss, prefixed with MM-DD when not today. */
  function formatTime(ms) {
    if (ms === null) return '—';
    var d = new Date(ms);
    var now = new Date();
    var sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
    var hms = formatClock(ms);
    return sameDay ? hms : pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + hms;
  }

  function formatDate(ms) {
    var d = new Date(ms);
    var wd = t('weekday');
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) +
      ' ' + (Array.isArray(wd) ? wd[d.getDay()] : '');
  }

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage disabled */ }
  }

  // ---- Alarm model ---------------------------------------------------------
  function pick(raw, key) {
    if (raw[key] !== undefined) return raw[key];
    var pascal = key.charAt(0).toUpperCase() + key.slice(1);
    return raw[pascal];
  }

  function str(v) {
    if (v === undefined || v === null) return null;
    var s = String(v).trim();
    return s === '' ? null : s;
  }

  function num(v) {
    if (v === undefined || v === null || v === '') return null;
    var n = Number(v);
    return isFinite(n) ? n : null;
  }

  function lower(v) {
    var s = str(v);
    return s === null ? null : s.toLowerCase();
  }

  /** Copy the known fields of a server alarm; unknown fields are ignored, missing ones become null. */
  function normalizeAlarm(raw) {
    if (!raw || typeof raw !== 'object') return null;
    var id = str(pick(raw, 'id'));
    if (id === null) return null;
    var count = num(pick(raw, 'count'));
    var esc = num(pick(raw, 'escalationLevel'));
    return {
      id: id,
      rule: lower(pick(raw, 'rule')),
      site: str(pick(raw, 'site')),
      siteName: str(pick(raw, 'siteName')),
      location: str(pick(raw, 'location')),
      gateway: str(pick(raw, 'gateway')),
      device: str(pick(raw, 'device')),
      point: str(pick(raw, 'point')),
      zone: str(pick(raw, 'zone')),
      label: str(pick(raw, 'label')),
      type: lower(pick(raw, 'type')),
      metric: lower(pick(raw, 'metric')),
      value: num(pick(raw, 'value')),
      severity: lower(pick(raw, 'severity')),
      state: lower(pick(raw, 'state')),
      raisedAt: str(pick(raw, 'raisedAt')),
      updatedAt: str(pick(raw, 'updatedAt')),
      ackedAt: str(pick(raw, 'ackedAt')),
      ackedBy: str(pick(raw, 'ackedBy')),
      ackNote: str(pick(raw, 'ackNote')),
      clearedAt: str(pick(raw, 'clearedAt')),
      count: count === null ? 1 : count,
      escalationLevel: esc === null ? 0 : esc,
      nextEscalationMs: parseTime(pick(raw, 'nextEscalationAt')),
      raisedMs: parseTime(pick(raw, 'raisedAt')),
      updatedMs: parseTime(pick(raw, 'updatedAt'))
    };
  }

  function isOpen(a) { return !!OPEN_STATES[a.state]; }
  function isUnacked(a) { return !!UNACK_STATES[a.state]; }
  function sevRank(a) { return Object.prototype.hasOwnProperty.call(SEVERITY_RANK, a.severity) ? SEVERITY_RANK[a.severity] : 99; }

  /** true when a is known to be older than b (by updatedAt). */
  function isOlder(a, b) {
    return a.updatedMs !== null && b.updatedMs !== null && a.updatedMs < b.updatedMs;
  }

  /** Unacknowledged first, then severity, then newest raisedAt first (id as a stable tie-break). */
  function compareAlarms(a, b) {
    var ua = isUnacked(a) ? 0 : 1;
    var ub = isUnacked(b) ? 0 : 1;
    if (ua !== ub) return ua - ub;
    var sa = sevRank(a);
    var sb = sevRank(b);
    if (sa !== sb) return sa - sb;
    var ra = a.raisedMs === null ? -Infinity : a.raisedMs;
    var rb = b.raisedMs === null ? -Infinity : b.raisedMs;
    if (ra !== rb) return rb > ra ? 1 : -1;
    return a.id < b.id ? 1 : (a.id > b.id ? -1 : 0);
  }

  function sortedAlarms() {
    return Array.from(state.alarms.values()).sort(compareAlarms);
  }

  /** Newest critical unacknowledged alarm; an active one is preferred over a cleared one. */
  function pickHero(sorted) {
    var cleared = null;
    for (var i = 0; i < sorted.length; i++) {
      var a = sorted[i];
      if (a.severity !== 'critical') continue;
      if (a.state === 'active_unack') return a;
      if (a.state === 'cleared_unack' && cleared === null) cleared = a;
    }
    return cleared;
  }

  function typeText(a) {
    if (a.rule === 'fixed-heat') return t('rule.fixed-heat');
    if (a.type && I18N.has('type.' + a.type)) return t('type.' + a.type);
    if (a.type) return a.type;
    if (a.rule && I18N.has('rule.' + a.rule)) return t('rule.' + a.rule);
    if (a.rule) return a.rule;
    return t('type.unknown');
  }

  function valueText(a) {
    if (a.value === null) return null;
    var v = Math.round(a.value * 10) / 10;
    if (a.metric === 'temperature') return v + ' °C';
    var name = a.metric ? (I18N.has('metric.' + a.metric) ? t('metric.' + a.metric) : a.metric) : '';
    return (name ? name + ' ' : '') + v;
  }

  function severityText(a) {
    if (a.severity && I18N.has('severity.' + a.severity)) return t('severity.' + a.severity);
    return a.severity || '—';
  }

  function stateText(a) {
    if (a.state && I18N.has('state.' + a.state)) return t('state.' + a.state);
    return a.state || '—';
  }

  function escalationText(a) {
    return a.escalationLevel > 0 ? t('escalation.level', { n: a.escalationLevel }) : t('escalation.none');
  }

  function placeParts(a) {
    return [['location', a.location], ['zone', a.zone], ['point', a.point], ['device', a.device], ['gateway', a.gateway], ['site', a.siteName || a.site]]
      .filter(function (p) { return !!p[1]; });
  }

  /** Main place line: the label, or the most specific identifier present. */
  function placeMain(a) {
    if (a.label) return a.label;
    var parts = placeParts(a);
    return parts.length ? placeText(parts[0]) : t('place.unknown');
  }

  /** "building / floor / room" and the school's name speak for themselves; ids get their kind in front. */
  function placeText(p) {
    return p[0] === 'location' ? p[1] : t('place.' + p[0]) + ' ' + p[1];
  }

  /** Secondary place line: every identifier present except the one already used as the main line. */
  function placeDetail(a) {
    var parts = placeParts(a);
    if (!a.label) parts = parts.slice(1);
    return parts.map(placeText).join(' · ');
  }

  // ---- Applying data -------------------------------------------------------
  function addTombstone(a) {
    state.tombstones.set(a.id, a.updatedMs === null ? Date.now() : a.updatedMs);
    if (state.tombstones.size > TOMBSTONE_MAX) {
      var first = state.tombstones.keys().next().value;
      state.tombstones.delete(first);
    }
  }

  function addRecentlyCleared(a) {
    state.recentlyCleared = state.recentlyCleared.filter(function (r) { return r.alarm.id !== a.id; });
    state.recentlyCleared.unshift({ alarm: a, at: Date.now() });
    state.recentlyCleared.length = Math.min(state.recentlyCleared.length, RECENTLY_CLEARED_MAX);
  }

  /** Insert/replace/remove one alarm. Returns true when the board changed. */
  function applyAlarm(a) {
    var prev = state.alarms.get(a.id);
    if (prev && isOlder(a, prev)) return false; // out-of-order update
    var tomb = state.tombstones.get(a.id);
    if (!prev && tomb !== undefined && a.updatedMs !== null && a.updatedMs < tomb) return false;

    if (isOpen(a)) {
      state.alarms.set(a.id, a);
      state.tombstones.delete(a.id);
      return true;
    }
    addTombstone(a);
    if (prev) {
      state.alarms.delete(a.id);
      if (a.state === 'cleared') addRecentlyCleared(a);
      return true;
    }
    return false;
  }

  function onAlarmPushed(payload) {
    var a = normalizeAlarm(payload);
    if (!a) return;
    state.pushSeq += 1;
    state.lastPushSeq.set(a.id, state.pushSeq);
    markDataReceived();
    if (applyAlarm(a)) render();
  }

  /** Replace the board with a fresh snapshot, keeping anything pushed while the fetch was in flight. */
  function applySnapshot(list, seqAtStart) {
    var next = new Map();
    list.forEach(function (raw) {
      var a = normalizeAlarm(raw);
      if (!a || !isOpen(a)) return;
      var tomb = state.tombstones.get(a.id);
      var pushedSince = (state.lastPushSeq.get(a.id) || 0) > seqAtStart;
      if (pushedSince && tomb !== undefined && (a.updatedMs === null || a.updatedMs <= tomb)) return;
      var local = state.alarms.get(a.id);
      if (local && isOlder(a, local)) a = local;
      state.tombstones.delete(a.id);
      next.set(a.id, a);
    });
    state.alarms.forEach(function (local, id) {
      if (!next.has(id) && (state.lastPushSeq.get(id) || 0) > seqAtStart) next.set(id, local);
    });
    state.alarms = next;
    // Forget push bookkeeping older than this snapshot.
    state.lastPushSeq.forEach(function (seq, id) { if (seq <= seqAtStart) state.lastPushSeq.delete(id); });
    render();
  }

  function fetchWithTimeout(url, options, timeoutMs) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = null;
    var opts = Object.assign({}, options);
    if (ctrl) {
      opts.signal = ctrl.signal;
      timer = setTimeout(function () { ctrl.abort(); }, timeoutMs);
    }
    return fetch(url, opts)
      .then(function (res) {
        // The sign-in ran out (or was never made): back to the sign-in page, then here again.
        if (res.status === 401) CampusAuth.toLogin();
        return res;
      })
      .finally(function () { if (timer) clearTimeout(timer); });
  }

  var resyncInFlight = null;
  var resyncRetryTimer = null;

  /** GET /api/alarms and replace the board. Concurrent calls share one request. */
  function resync() {
    if (DEMO) return Promise.resolve();
    if (resyncInFlight) return resyncInFlight;
    var seqAtStart = state.pushSeq;
    resyncInFlight = fetchWithTimeout(API_ALARMS, { headers: { Accept: 'application/json' }, cache: 'no-store' }, FETCH_TIMEOUT_MS)
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (body) {
        if (!Array.isArray(body)) throw new Error('GET ' + API_ALARMS + ' did not return an array');
        state.fetchFailed = false;
        state.fetchedOnce = true;
        markDataReceived();
        applySnapshot(body, seqAtStart);
      })
      .catch(function (err) {
        console.warn('[board] alarm list fetch failed:', err);
        state.fetchFailed = true;
        renderBanners();
        clearTimeout(resyncRetryTimer);
        resyncRetryTimer = setTimeout(resync, FETCH_RETRY_MS);
      })
      .finally(function () { resyncInFlight = null; renderBanners(); render(); });
    return resyncInFlight;
  }

  function markDataReceived() {
    state.lastDataAt = Date.now();
    renderLastData();
  }

  /** True when the list on screen can be trusted: connected and a fresh list was loaded. */
  function boardIsLive() {
    if (DEMO) return true;
    return state.conn === 'connected' && state.fetchedOnce && !state.fetchFailed;
  }

  // ---- Live connection (SignalR) ------------------------------------------
  function retryDelay(previousRetryCount) {
    return previousRetryCount < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[previousRetryCount] : RETRY_MAX_MS;
  }

  function setConn(s) {
    var wasLive = boardIsLive();
    if (state.conn !== s) {
      state.conn = s;
      state.connSince = Date.now();
    }
    renderConnection();
    if (wasLive !== boardIsLive()) render();
  }

  /** The three public states: connected | reconnecting | disconnected. */
  function effectiveConn() {
    switch (state.conn) {
      case 'connected': return 'connected';
      case 'connecting':
      case 'reconnecting':
        return Date.now() - state.connSince > RECONNECTING_ESCALATE_MS ? 'disconnected' : 'reconnecting';
      default: return 'disconnected';
    }
  }

  var hub = null;
  var startTimer = null;
  var startAttempt = 0;
  var starting = false;

  function startHub() {
    if (DEMO) { setConn('demo'); return; }
    if (!window.signalR || !window.signalR.HubConnectionBuilder) {
      console.error('[board] SignalR client library missing; falling back to polling');
      setConn('nolib');
      setInterval(resync, FETCH_RETRY_MS);
      return;
    }
    var signalR = window.signalR;
    hub = new signalR.HubConnectionBuilder()
      .withUrl(HUB_URL)
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: function (ctx) { return retryDelay(ctx.previousRetryCount); }
      })
      .configureLogging(signalR.LogLevel.Warning)
      .build();

    hub.on('alarmChanged', onAlarmPushed);
    hub.on('readings', function () { markDataReceived(); });
    // The dashboard notification channel's record that the board was told (escalation shows from alarmChanged already).
    hub.on('notification', function () { markDataReceived(); });

    hub.onreconnecting(function (err) {
      console.warn('[board] connection lost, reconnecting', err || '');
      setConn('reconnecting');
    });
    hub.onreconnected(function () {
      joinAndResync();
    });
    hub.onclose(function (err) {
      // Only reached if automatic reconnect gives up or the connection was stopped: start over, forever.
      console.warn('[board] connection closed', err || '');
      setConn('disconnected');
      scheduleStart(RETRY_MAX_MS);
    });

    tryStart();
  }

  function scheduleStart(delay) {
    clearTimeout(startTimer);
    startTimer = setTimeout(tryStart, delay);
  }

  /** Initial connect (automatic reconnect only covers connections that once succeeded). */
  function tryStart() {
    if (starting || !hub || hub.state !== window.signalR.HubConnectionState.Disconnected) return;
    starting = true;
    if (state.conn !== 'disconnected') setConn(startAttempt === 0 ? 'connecting' : 'reconnecting');
    hub.start()
      .then(function () {
        starting = false;
        startAttempt = 0;
        return joinAndResync();
      })
      .catch(function (err) {
        starting = false;
        console.warn('[board] connect failed', err);
        startAttempt += 1;
        setConn('disconnected');
        scheduleStart(retryDelay(startAttempt) || 1000);
      });
  }

  // The console watchdog: this board tells the server every 10 s that the guard room is watching. A school with no
  // board sending heartbeats is itself an alarm, sent to the safety officer.
  var HEARTBEAT_MS = 10000;
  function heartbeat() {
    if (hub && hub.state === window.signalR.HubConnectionState.Connected) {
      hub.invoke('ConsoleHeartbeat').catch(function (err) { console.warn('[board] heartbeat failed', err); });
    }
  }
  setInterval(heartbeat, HEARTBEAT_MS);

  /** Join the user's school groups (or all), then re-fetch the list (messages may have been missed). */
  function joinAndResync() {
    return Promise.all(SITE_GROUPS.map(function (site) { return hub.invoke('JoinSite', site); }))
      .then(function () {
        setConn('connected');
        heartbeat();
        return resync();
      })
      .catch(function (err) {
        // Without the group we get no pushes: the board is not live. Drop and retry.
        console.error('[board] JoinSite failed', err);
        setConn('disconnected');
        resync();
        hub.stop(); // onclose schedules a new start
      });
  }

  // ---- Sound (Web Audio siren, no audio files) ----------------------------
  var Siren = {
    ctx: null,
    nodes: null,
    mode: 'off',
    unsupported: false,
    everRan: false,       // the context has played at least once (so a later suspend is the browser's doing)
    wasRunning: false,
    lastWatchdog: 0,

    /**
     * Create the AudioContext if needed and, when called from a user gesture, resume it.
     * fromGesture=false (page load) only creates it: that is enough where a kiosk autoplay
     * policy allows sound, and avoids a resume() that the browser would leave pending.
     */
    arm: function (fromGesture) {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) { this.unsupported = true; renderSound(); return; }
      var self = this;
      if (this.isArmed()) return;
      if (!this.ctx) {
        try {
          this.ctx = new AC();
        } catch (e) {
          console.error('[board] AudioContext failed', e);
          this.unsupported = true;
          renderSound();
          return;
        }
        this.build();
        this.ctx.onstatechange = function () { self.onState(); };
        if (this.ctx.state === 'running') this.onState();
      }
      if (fromGesture && this.ctx.state !== 'running') {
        Promise.resolve(this.ctx.resume()).then(function () { self.onState(); }, function () { renderSound(); });
      }
      renderSound();
    },

    /** Context state changed: beep once each time it starts running, re-apply the siren mode. */
    onState: function () {
      var running = this.ctx.state === 'running';
      if (running && !this.wasRunning) {
        this.everRan = true;
        this.chirp();
      }
      this.wasRunning = running;
      this.apply();
      renderSound();
    },

    /**
     * Graph: carrier oscillator whose frequency and loudness are driven by two
     * square-wave LFOs, so the siren pattern runs in the audio thread and keeps
     * going even when timers are throttled.
     *   freqLfo -> freqDepth -> carrier.frequency
     *   ampLfo  -> ampDepth  -> gate.gain
     *   carrier -> gate -> master -> destination
     */
    build: function () {
      var ctx = this.ctx;
      var carrier = ctx.createOscillator();
      carrier.type = 'square';
      carrier.frequency.value = 850;
      var freqLfo = ctx.createOscillator();
      freqLfo.type = 'square';
      freqLfo.frequency.value = 2;
      var freqDepth = ctx.createGain();
      freqDepth.gain.value = 0;
      var ampLfo = ctx.createOscillator();
      ampLfo.type = 'square';
      ampLfo.frequency.value = 0.8;
      var ampDepth = ctx.createGain();
      ampDepth.gain.value = 0;
      var gate = ctx.createGain();
      gate.gain.value = 1;
      var master = ctx.createGain();
      master.gain.value = 0;

      freqLfo.connect(freqDepth);
      freqDepth.connect(carrier.frequency);
      ampLfo.connect(ampDepth);
      ampDepth.connect(gate.gain);
      carrier.connect(gate);
      gate.connect(master);
      master.connect(ctx.destination);
      carrier.start();
      freqLfo.start();
      ampLfo.start();
      this.nodes = { carrier: carrier, freqLfo: freqLfo, freqDepth: freqDepth, ampLfo: ampLfo, ampDepth: ampDepth, gate: gate, master: master };
    },

    isArmed: function () {
      return !!this.ctx && this.ctx.state === 'running';
    },

    /** A short beep so the guard hears that the speakers work. */
    chirp: function () {
      var ctx = this.ctx;
      var o = ctx.createOscillator();
      var g = ctx.createGain();
      o.type = 'sine';
      o.frequency.value = 880;
      g.gain.value = 0;
      o.connect(g);
      g.connect(ctx.destination);
      var now = ctx.currentTime;
      g.gain.setValueAtTime(0, now);
      g.gain.linearRampToValueAtTime(0.3, now + 0.02);
      g.gain.setValueAtTime(0.3, now + 0.18);
      g.gain.linearRampToValueAtTime(0, now + 0.22);
      o.start(now);
      o.stop(now + 0.25);
    },

    /** mode: 'critical' (fast two-tone), 'major' (slow beep) or 'off'. */
    setMode: function (mode) {
      if (mode === this.mode) return;
      this.mode = mode;
      this.apply();
      renderSound();
    },

    apply: function () {
      if (!this.ctx || !this.nodes) return;
      var n = this.nodes;
      var now = this.ctx.currentTime;
      var set = function (param, value) {
        param.cancelScheduledValues(now);
        param.setTargetAtTime(value, now, 0.01);
      };
      if (this.mode === 'critical') {
        // 700 Hz / 1000 Hz alternating every 0.25 s, continuous.
        set(n.carrier.frequency, 850);
        set(n.freqDepth.gain, 150);
        n.freqLfo.frequency.setValueAtTime(2, now);
        set(n.gate.gain, 1);
        set(n.ampDepth.gain, 0);
        set(n.master.gain, 0.22);
      } else if (this.mode === 'major') {
        // 660 Hz beep, about 0.6 s on / 0.6 s off.
        set(n.carrier.frequency, 660);
        set(n.freqDepth.gain, 0);
        set(n.gate.gain, 0.5);
        set(n.ampDepth.gain, 0.5);
        n.ampLfo.frequency.setValueAtTime(0.8, now);
        set(n.master.gain, 0.18);
      } else {
        set(n.master.gain, 0);
      }
    },

    /** Called every second: try to resume a context the browser suspended. */
    watchdog: function () {
      var now = Date.now();
      if (this.ctx && this.everRan && this.ctx.state !== 'running' && now - this.lastWatchdog > 10000) {
        this.lastWatchdog = now;
        var self = this;
        Promise.resolve(this.ctx.resume()).then(function () { self.onState(); }, function () { renderSound(); });
      }
    }
  };

  function desiredSirenMode() {
    var mode = 'off';
    state.alarms.forEach(function (a) {
      if (a.state !== 'active_unack') return;
      if (a.severity === 'critical') mode = 'critical';
      else if (a.severity === 'major' && mode === 'off') mode = 'major';
    });
    return mode;
  }

  // ---- Rendering -----------------------------------------------------------
  function renderStatic() {
    var lang = I18N.getLang();
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (node) {
      node.textContent = t(node.getAttribute('data-i18n'));
    });
    var toggle = $('lang-toggle');
    toggle.textContent = t('lang.toggle');
    toggle.setAttribute('aria-label', t('lang.toggle.aria'));
    $('ack-note').placeholder = t('ack.note.placeholder');
  }

  function renderConnection() {
    var eff = effectiveConn();
    var node = $('connection-status');
    var text;
    if (state.conn === 'demo') text = t('conn.demo');
    else if (state.conn === 'connecting' && eff === 'reconnecting') text = t('conn.connecting');
    else text = t('conn.' + eff);
    node.setAttribute('data-state', eff);
    if (node.textContent !== text) node.textContent = text;

    var banner = $('conn-banner');
    banner.setAttribute('data-state', eff);
    banner.hidden = eff === 'connected' || state.conn === 'demo';
    var bText;
    if (state.conn === 'nolib') bText = t('banner.noLib');
    else if (eff === 'disconnected') bText = t('banner.disconnected');
    else if (state.conn === 'connecting') bText = t('banner.connecting');
    else bText = t('banner.reconnecting');
    var span = $('conn-banner-text');
    if (span.textContent !== bText) span.textContent = bText;
  }

  function renderBanners() {
    $('fetch-banner').hidden = !state.fetchFailed;
    $('demo-banner').hidden = !DEMO;
    renderConnection();
  }

  function renderSound() {
    var armed = Siren.isArmed();
    var node = $('sound-status');
    var text = Siren.unsupported ? t('sound.unsupported') : (armed ? t('sound.armed') : t('sound.notArmed'));
    node.setAttribute('data-armed', armed ? 'true' : 'false');
    // What the siren is asked to play (critical | major | off), audible only when armed.
    node.setAttribute('data-siren', Siren.mode);
    if (node.textContent !== text) node.textContent = text;
    var hide = armed || Siren.unsupported;
    if ($('sound-arm').hidden !== hide) $('sound-arm').hidden = hide;
  }

  function renderLastData() {
    $('last-data').textContent = state.lastDataAt === null
      ? t('lastData.none') : t('lastData', { time: formatTime(state.lastDataAt) });
  }

  function renderClock() {
    var now = Date.now();
    $('clock').textContent = formatClock(now);
    $('date').textContent = formatDate(now);
  }

  /** "Next level in 0:42": the time left before the alarm escalates if nobody acknowledges it. */
  function countdownNode(a) {
    var s = el('span', 'esc-countdown');
    if (a.state !== 'active_unack' || a.nextEscalationMs === null) return null;
    s.setAttribute('data-testid', 'escalation-countdown');
    s.setAttribute('data-due-ms', String(a.nextEscalationMs));
    s.textContent = countdownText(a.nextEscalationMs, Date.now());
    return s;
  }

  function countdownText(dueMs, now) {
    var left = Math.max(0, Math.round((dueMs - now) / 1000));
    var text = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
    return left > 0 ? t('escalation.next', { left: text }) : t('escalation.due');
  }

  function tickElapsed() {
    var now = Date.now();
    document.querySelectorAll('[data-due-ms]').forEach(function (node) {
      var text = countdownText(Number(node.getAttribute('data-due-ms')), now);
      if (node.textContent !== text) node.textContent = text;
    });
    document.querySelectorAll('[data-raised-ms]').forEach(function (node) {
      var ms = Number(node.getAttribute('data-raised-ms'));
      var text = I18N.formatDuration(now - ms);
      if (node.textContent !== text) node.textContent = text;
    });
  }

  function makeAckButton(a, extraClass) {
    var b = el('button', 'ack-button' + (extraClass ? ' ' + extraClass : ''), t('ack.button'));
    b.type = 'button';
    b.setAttribute('data-testid', 'ack-button');
    b.setAttribute('data-alarm-id', a.id);
    b.setAttribute('aria-label', t('ack.button.aria', { what: typeText(a) + ' · ' + placeMain(a) }));
    b.addEventListener('click', function () { openAckDialog(a.id, b); });
    return b;
  }

  function badge(kind, value, text) {
    var s = el('span', 'badge ' + kind + ' ' + kind + '-' + (value || 'unknown'), text);
    return s;
  }

  function elapsedNode(a, className) {
    var s = el('span', className);
    if (a.raisedMs !== null) {
      s.setAttribute('data-raised-ms', String(a.raisedMs));
      s.textContent = I18N.formatDuration(Date.now() - a.raisedMs);
    } else {
      s.textContent = '—';
    }
    return s;
  }

  function ackInfoNodes(a) {
    var out = [];
    if (a.ackedBy || a.ackedAt) {
      out.push(el('div', 'ack-info', t('ackedBy', { by: a.ackedBy || '—', time: formatTime(parseTime(a.ackedAt)) })));
    }
    if (a.ackNote) out.push(el('div', 'ack-info', t('ackNote', { note: a.ackNote })));
    if (a.clearedAt && a.state === 'cleared_unack') {
      out.push(el('div', 'cleared-info', t('clearedAt', { time: formatTime(parseTime(a.clearedAt)) })));
    }
    return out;
  }

  // A full-width status panel (all clear / state unknown) with a headline and a sub-line.
  function statusPanel(name, key) {
    var panel = el('section', name);
    panel.setAttribute('data-testid', name);
    panel.setAttribute('role', 'status');
    panel.appendChild(el('div', name + '-main', t(key)));
    panel.appendChild(el('div', name + '-sub', t(key + '.sub')));
    return panel;
  }

  // Rows and the hero are rebuilt only when what they show changed: replacing a button between a guard's press and
  // release would swallow the click, and resyncs and pushes arrive at any moment.
  var rowCache = new Map();
  var heroSignature = null;

  function signature(a) { return JSON.stringify(a) + '|' + I18N.getLang(); }

  function renderHero(hero) {
    state.heroId = hero ? hero.id : null;
    var sig = hero ? 'alarm|' + signature(hero) : 'none|' + state.alarms.size + '|' + boardIsLive() + '|' + I18N.getLang();
    if (sig === heroSignature) return;
    heroSignature = sig;
    var slot = $('hero-slot');
    slot.textContent = '';
    if (!hero) {
      if (state.alarms.size === 0) {
        // Never show a green "all clear" when the board cannot know it.
        slot.appendChild(boardIsLive() ? statusPanel('all-clear', 'allClear') : statusPanel('no-data', 'noData'));
      }
      return;
    }
    var a = hero;
    var sec = el('section', 'hero state-' + (a.state || 'unknown'));
    sec.setAttribute('data-testid', 'hero-alarm');
    sec.setAttribute('data-alarm-id', a.id);
    sec.setAttribute('data-state', a.state || '');
    sec.setAttribute('data-severity', a.severity || '');
    sec.setAttribute('role', 'alert');

    var left = el('div', 'hero-main');
    left.appendChild(el('div', 'hero-heading', t('hero.heading')));
    var typeLine = el('div', 'hero-type', typeText(a));
    var v = valueText(a);
    if (v) typeLine.appendChild(el('span', 'hero-value', v));
    left.appendChild(typeLine);
    left.appendChild(el('div', 'hero-place', placeMain(a)));
    var detail = placeDetail(a);
    if (detail) left.appendChild(el('div', 'hero-place-detail', detail));
    ackInfoNodes(a).forEach(function (n) { left.appendChild(n); });

    var facts = el('dl', 'hero-facts');
    function fact(label, valueNode) {
      var wrap = el('div', 'fact');
      wrap.appendChild(el('dt', null, label));
      var dd = el('dd');
      dd.appendChild(valueNode);
      wrap.appendChild(dd);
      facts.appendChild(wrap);
    }
    fact(t('field.raisedAt'), el('span', 'hero-raised', formatTime(a.raisedMs)));
    fact(t('field.elapsed'), elapsedNode(a, 'hero-elapsed'));
    fact(t('field.severity'), badge('sev', a.severity, severityText(a)));
    fact(t('field.state'), badge('st', a.state, stateText(a)));
    var escNode = el('span', 'hero-esc', escalationText(a));
    if (a.count > 1) escNode.appendChild(el('span', 'count-times', ' · ' + t('count.times', { n: a.count })));
    var heroCountdown = countdownNode(a);
    if (heroCountdown) escNode.appendChild(heroCountdown);
    fact(t('field.escalation'), escNode);

    var right = el('div', 'hero-side');
    right.appendChild(facts);
    if (isUnacked(a)) right.appendChild(makeAckButton(a, 'ack-hero'));

    sec.appendChild(left);
    sec.appendChild(right);
    slot.appendChild(sec);
  }

  function renderRow(a) {
    var li = el('li', 'alarm-row sev-' + (a.severity || 'unknown') + ' state-' + (a.state || 'unknown'));
    li.setAttribute('data-testid', 'alarm-row');
    li.setAttribute('data-alarm-id', a.id);
    li.setAttribute('data-state', a.state || '');
    li.setAttribute('data-severity', a.severity || '');

    var c1 = el('div', 'c-sev');
    c1.appendChild(badge('sev', a.severity, severityText(a)));
    c1.appendChild(badge('st', a.state, stateText(a)));

    var c2 = el('div', 'c-what');
    var typeLine = el('div', 'row-type', typeText(a));
    var v = valueText(a);
    if (v) typeLine.appendChild(el('span', 'row-value', v));
    c2.appendChild(typeLine);
    c2.appendChild(el('div', 'row-place', placeMain(a)));
    var detail = placeDetail(a);
    if (detail) c2.appendChild(el('div', 'row-place-detail', detail));
    ackInfoNodes(a).forEach(function (n) { c2.appendChild(n); });

    var c3 = el('div', 'c-time');
    c3.appendChild(el('div', 'row-raised', formatTime(a.raisedMs)));
    var el3 = el('div', 'row-elapsed');
    el3.appendChild(elapsedNode(a, null));
    c3.appendChild(el3);

    var c4 = el('div', 'c-esc');
    c4.appendChild(el('div', 'row-esc' + (a.escalationLevel > 0 ? ' escalated' : ''), escalationText(a)));
    var rowCountdown = countdownNode(a);
    if (rowCountdown) c4.appendChild(rowCountdown);
    if (a.count > 1) c4.appendChild(el('div', 'count-times', t('count.times', { n: a.count })));

    var c5 = el('div', 'c-act');
    if (isUnacked(a)) c5.appendChild(makeAckButton(a));

    [c1, c2, c3, c4, c5].forEach(function (c) { li.appendChild(c); });
    return li;
  }

  function renderRecentlyCleared() {
    var node = $('recently-cleared');
    var now = Date.now();
    state.recentlyCleared = state.recentlyCleared.filter(function (r) { return now - r.at < RECENTLY_CLEARED_MS; });
    node.textContent = '';
    if (state.recentlyCleared.length === 0) { node.hidden = true; return; }
    node.hidden = false;
    node.appendChild(el('span', 'rc-label', t('recentlyCleared')));
    state.recentlyCleared.forEach(function (r) {
      var a = r.alarm;
      var when = parseTime(a.clearedAt);
      var text = typeText(a) + ' · ' + placeMain(a) + ' · ' + formatTime(when === null ? r.at : when);
      node.appendChild(el('span', 'rc-item', text));
    });
  }

  /** Remember which ack button had focus so a re-render does not lose keyboard position. */
  function focusedAlarmKey() {
    var f = document.activeElement;
    if (!f || f.getAttribute('data-testid') !== 'ack-button') return null;
    return { id: f.getAttribute('data-alarm-id'), hero: f.classList.contains('ack-hero') };
  }

  function restoreFocus(key) {
    if (!key || (dialogState.open)) return;
    var sel = '[data-testid="ack-button"][data-alarm-id="' + cssEscape(key.id) + '"]';
    var candidates = Array.prototype.slice.call(document.querySelectorAll(sel));
    var target = candidates.filter(function (b) { return b.classList.contains('ack-hero') === key.hero; })[0] || candidates[0];
    if (target) target.focus();
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  function render() {
    var focusKey = focusedAlarmKey();
    var sorted = sortedAlarms();
    var hero = pickHero(sorted);
    renderHero(hero);

    var list = $('alarm-list');
    var shown = new Set();
    sorted.forEach(function (a, i) {
      var sig = signature(a);
      var cached = rowCache.get(a.id);
      if (!cached || cached.sig !== sig) {
        var node = renderRow(a);
        if (cached && cached.node.parentNode === list) list.replaceChild(node, cached.node);
        cached = { sig: sig, node: node };
        rowCache.set(a.id, cached);
      }
      shown.add(a.id);
      // Move a row only when it is out of place, so an unchanged row keeps its node (and any press on it).
      if (list.children[i] !== cached.node) list.insertBefore(cached.node, list.children[i] || null);
    });
    rowCache.forEach(function (cached, id) {
      if (!shown.has(id)) {
        if (cached.node.parentNode === list) list.removeChild(cached.node);
        rowCache.delete(id);
      }
    });
    $('list-head').hidden = sorted.length === 0;

    var count = $('alarm-count');
    count.textContent = String(sorted.length);
    count.setAttribute('data-count', String(sorted.length));
    document.body.classList.toggle('has-alarms', sorted.length > 0);
    document.body.classList.toggle('not-live', !boardIsLive());
    document.body.classList.toggle('has-unacked-critical', !!hero && hero.state === 'active_unack');
    document.title = (sorted.length > 0 ? '(' + sorted.length + ') ' : '') + t('app.title');

    renderRecentlyCleared();
    Siren.setMode(desiredSirenMode());
    restoreFocus(focusKey);
    refreshDialog();
  }

  function renderEverything() {
    renderStatic();
    renderBanners();
    renderSound();
    renderClock();
    renderLastData();
    render();
  }

  // ---- Acknowledge dialog --------------------------------------------------
  var dialogState = { open: false, alarmId: null, opener: null, busy: false };

  function dialogNode() { return $('ack-dialog'); }

  function showAckError(text) {
    var node = $('ack-error');
    node.textContent = text || '';
    node.hidden = !text;
  }

  function refreshDialog() {
    if (!dialogState.open) return;
    var a = state.alarms.get(dialogState.alarmId);
    if (a) $('ack-summary').textContent = typeText(a) + ' · ' + placeMain(a) + ' · ' + formatTime(a.raisedMs);
  }

  function openAckDialog(id, opener) {
    var a = state.alarms.get(id);
    if (!a) return;
    var d = dialogNode();
    dialogState.open = true;
    dialogState.alarmId = id;
    dialogState.opener = opener || null;
    dialogState.busy = false;
    d.setAttribute('data-alarm-id', id);
    $('ack-summary').textContent = typeText(a) + ' · ' + placeMain(a) + ' · ' + formatTime(a.raisedMs);
    var by = $('ack-by');
    by.value = storageGet(ACK_BY_KEY) || '';
    by.removeAttribute('aria-invalid');
    $('ack-note').value = '';
    showAckError('');
    setSubmitting(false);
    if (typeof d.showModal === 'function') {
      if (!d.open) d.showModal();
    } else {
      d.setAttribute('open', '');
    }
    if (by.value.trim() === '') by.focus(); else $('ack-submit').focus();
  }

  function closeAckDialog() {
    var d = dialogNode();
    dialogState.open = false;
    dialogState.busy = false;
    if (typeof d.close === 'function' && d.open) d.close(); else d.removeAttribute('open');
    d.removeAttribute('data-alarm-id');
    // Return focus to where the guard was, or to the first remaining ack button.
    var opener = dialogState.opener;
    dialogState.opener = null;
    if (opener && document.body.contains(opener)) { opener.focus(); return; }
    var next = document.querySelector('[data-testid="ack-button"]');
    if (next) next.focus();
  }

  function setSubmitting(busy) {
    dialogState.busy = busy;
    var b = $('ack-submit');
    b.disabled = busy;
    b.textContent = busy ? t('ack.submitting') : t('ack.submit');
    b.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  /** Turn an error response (problem+json or otherwise) into a message for the guard. */
  function problemMessage(res) {
    var head = t('ack.err.http', { status: res.status });
    var ct = (res.headers.get('content-type') || '').toLowerCase();
    var body = ct.indexOf('json') >= 0
      ? res.json().then(function (p) {
        if (!p || typeof p !== 'object') return null;
        return str(p.detail) || str(p.title);
      })
      : res.text().then(function (txt) {
        var s = str(txt);
        return s && s.length <= 300 && s.charAt(0) !== '<' ? s : null;
      });
    return body.catch(function () { return null; })
      .then(function (detail) { return detail ? t('ack.err.withDetail', { head: head, detail: detail }) : head; });
  }

  function submitAck(ev) {
    ev.preventDefault();
    if (dialogState.busy) return;
    var id = dialogState.alarmId;
    var byInput = $('ack-by');
    var by = byInput.value.trim();
    var note = $('ack-note').value.trim();
    if (!by) {
      byInput.setAttribute('aria-invalid', 'true');
      showAckError(t('ack.err.nameRequired'));
      byInput.focus();
      return;
    }
    byInput.removeAttribute('aria-invalid');
    storageSet(ACK_BY_KEY, by);
    showAckError('');

    if (DEMO) { demoAck(id, by, note); return; }

    setSubmitting(true);
    var body = { by: by };
    if (note !== '') body.note = note;
    CampusAuth.csrfHeaders({ 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' })
      .then(function (headers) {
        return fetchWithTimeout(API_ALARMS + '/' + encodeURIComponent(id) + '/ack', {
          method: 'POST',
          headers: headers,
          body: JSON.stringify(body),
          cache: 'no-store'
        }, ACK_TIMEOUT_MS);
      })
      .then(function (res) {
        if (res.ok) {
          return res.json().catch(function () { return null; }).then(function (json) {
            var a = normalizeAlarm(json);
            if (a && applyAlarm(a)) render();
            else if (!a) resync();
            if (dialogState.alarmId === id) closeAckDialog();
          });
        }
        return problemMessage(res).then(function (msg) {
          setSubmitting(false);
          showAckError(msg);
          // 404/409: someone else acted on it; refresh the board.
          if (res.status === 404 || res.status === 409) resync();
        });
      })
      .catch(function (err) {
        console.warn('[board] ack failed', err);
        setSubmitting(false);
        showAckError(err && err.name === 'AbortError' ? t('ack.err.timeout') : t('ack.err.network'));
      });
  }

  function wireDialog() {
    var d = dialogNode();
    $('ack-form').addEventListener('submit', submitAck);
    $('ack-cancel').addEventListener('click', function () { if (!dialogState.busy) closeAckDialog(); });
    d.addEventListener('cancel', function (ev) {
      ev.preventDefault(); // we close it ourselves (keeps state consistent)
      if (!dialogState.busy) closeAckDialog();
    });
    d.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && typeof d.showModal !== 'function' && !dialogState.busy) closeAckDialog();
    });
    $('ack-by').addEventListener('input', function () {
      if ($('ack-by').value.trim()) { $('ack-by').removeAttribute('aria-invalid'); }
    });
  }

  // ---- Demo mode (?demo): three sample alarms, no server ---------------------
  function demoAlarms() {
    var now = Date.now();
    var iso = function (msAgo) { return new Date(now - msAgo).toISOString(); };
    return [
      { id: 'demo-0001', rule: 'fire', site: 'school-01', gateway: 'gw-1', device: 'panel-1', point: 'L1D126', zone: 'Z3',
        label: '3F lab corridor', type: 'smoke', metric: null, value: null, severity: 'critical', state: 'active_unack',
        raisedAt: iso(135000), updatedAt: iso(135000), ackedAt: null, ackedBy: null, ackNote: null, clearedAt: null,
        count: 1, escalationLevel: 1 },
      { id: 'demo-0002', rule: 'fixed-heat', site: 'school-01', gateway: 'gw-2', device: 'd7', point: null, zone: null,
        label: '食堂厨房', type: null, metric: 'temperature', value: 61.2, severity: 'major', state: 'active_ack',
        raisedAt: iso(600000), updatedAt: iso(300000), ackedAt: iso(300000), ackedBy: '张三', ackNote: '已到现场核实',
        clearedAt: null, count: 3, escalationLevel: 0 },
      { id: 'demo-0003', rule: 'panel-trouble', site: 'school-01', gateway: 'gw-1', device: 'panel-1', point: 'L2M004',
        zone: null, label: null, type: 'trouble', metric: null, value: null, severity: 'minor', state: 'cleared_unack',
        raisedAt: iso(3725000), updatedAt: iso(60000), ackedAt: null, ackedBy: null, ackNote: null, clearedAt: iso(60000),
        count: 1, escalationLevel: 0 }
    ];
  }

  function demoAck(id, by, note) {
    var a = state.alarms.get(id);
    if (!a) { closeAckDialog(); return; }
    var nowIso = new Date().toISOString();
    var copy = Object.assign({}, a, {
      state: a.state === 'cleared_unack' ? 'cleared' : 'active_ack',
      ackedBy: by, ackNote: note || null, ackedAt: nowIso, updatedAt: nowIso
    });
    if (copy.state === 'cleared') copy.clearedAt = copy.clearedAt || nowIso;
    var n = normalizeAlarm(copy);
    if (applyAlarm(n)) render();
    closeAckDialog();
  }

  // ---- Start-up ------------------------------------------------------------
  function tick() {
    renderClock();
    tickElapsed();
    renderConnection();
    Siren.watchdog();
    renderSound();
    if (state.recentlyCleared.length && Date.now() - state.recentlyCleared[state.recentlyCleared.length - 1].at >= RECENTLY_CLEARED_MS) {
      renderRecentlyCleared();
    }
    // Align to the next whole second so the clock and timers tick together.
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  function init() {
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      renderEverything();
    });
    $('sound-arm').addEventListener('click', function () { Siren.arm(true); });
    // Any click or key press is a user gesture that lets the browser play sound: arm on it too,
    // so a guard who only presses "acknowledge" still gets the siren for the next alarm.
    // On 'click', not 'pointerdown': arming hides the sound banner and shifts the page, and a shift between press
    // and release would make the guard's first press on "acknowledge" miss its button.
    var gesture = function () { if (!Siren.isArmed()) Siren.arm(true); };
    document.addEventListener('click', gesture, false);
    document.addEventListener('keydown', gesture, true);

    wireDialog();

    if (DEMO) {
      demoAlarms().forEach(function (raw) { applyAlarm(normalizeAlarm(raw)); });
      state.lastDataAt = Date.now();
    }
    renderEverything();
    tick();
    if (DEMO) { setConn('demo'); return; }

    // Kiosk browsers started with an autoplay policy that allows sound arm without a click.
    if (window.AudioContext || window.webkitAudioContext) {
      try { Siren.arm(false); } catch (e) { /* armed on first gesture instead */ }
    }

    // Who is signed in decides which schools' live groups to join; the user's name and sign-out go in the top bar.
    var leaving = false;
    CampusAuth.me().then(function (me) {
      // The board is the guard room's whole-school live feed, which lab and canteen managers may not join: their page is
      // the room page (where signing in lands them, as "/" is the default way back from the sign-in page).
      if (me && (me.role === 'lab_manager' || me.role === 'canteen_manager')) { leaving = true; location.replace('/rooms.html'); return; }
      if (me && !(me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0)) SITE_GROUPS = me.sites || [];
      CampusAuth.renderUser($('user-box'), me);
      $('lang-toggle').addEventListener('click', function () { CampusAuth.renderUser($('user-box'), me); });
    }).finally(function () {
      if (leaving) return;
      resync();
      setInterval(function () { if (state.conn === 'connected') resync(); }, RESYNC_INTERVAL_MS);
      startHub();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
