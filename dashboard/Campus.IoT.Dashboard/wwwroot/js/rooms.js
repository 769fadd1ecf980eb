/*
 * Campus.IoT — cold-storage and lab monitoring page (rooms.html).
 * Plain script (no framework, no build step, no external URLs). zh-CN first, English on the switch.
 * Needs: lib/echarts/echarts.min.js (window.echarts), lib/signalr/signalr.min.js (window.signalR, optional: without it the
 * page polls), js/i18n.js (window.CampusI18n: the language choice shared with the board) and js/auth.js (window.CampusAuth).
 *
 * One card per monitored room from GET /api/rooms (current value, today's lowest/highest, minutes out of range, limit band,
 * open alarm); the cards follow the hub's `readings` messages (lab and canteen managers, who may not join a school's live
 * group, and browsers without the SignalR library poll GET /api/rooms every 30 s instead). The selected room's history comes
 * from GET /api/readings as an ECharts line (mean) with a min–max band and the limit band; the same period downloads as CSV
 * from GET /api/readings/export.csv. Times are the school's (the time zone GET /api/rooms names), whatever the browser's.
 * All data from the server goes into the DOM with textContent / attributes only.
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;

  var I18N = window.CampusI18n;

  var API_ROOMS = '/api/rooms';
  var API_READINGS = '/api/readings';
  var API_EXPORT = '/api/readings/export.csv';
  var HUB_URL = '/hubs/live';

  var POLL_MS = 30000;          // lab/canteen managers (no live groups), or no SignalR library
  var REFRESH_MS = 60000;       // live users: today's figures and alarms, which the readings push does not carry
  var STALE_MS = 15 * 60000;    // a room whose last reading is older than this shows "data stale"
  var RETRY_DELAYS_MS = [0, 2000, 5000, 10000];
  var RETRY_MAX_MS = 10000;

  // The chart's periods and steps: at most 720 points each, every one answered from the store's rollups.
  var RANGES = {
    '6h': { ms: 6 * 3600000, step: '1m', stepMs: 60000 },
    '24h': { ms: 24 * 3600000, step: '5m', stepMs: 300000 },
    '7d': { ms: 7 * 86400000, step: '1h', stepMs: 3600000 },
    '30d': { ms: 30 * 86400000, step: '1h', stepMs: 3600000 }
  };
  var RANGE_ORDER = ['6h', '24h', '7d', '30d'];

  var TEXT = {
    'zh-CN': {
      'title': '冷库与实验室温度监测',
      'rooms.heading': '监测点',
      'lang.toggle': 'English',
      'lang.aria': 'Switch to English',
      'status.live': '实时更新',
      'status.connecting': '正在连接…',
      'status.reconnecting': '正在重连…',
      'status.disconnected': '连接已断开',
      'status.polling': '每30秒自动刷新',
      'banner.fetch': '无法从服务器获取数据，正在重试…　页面上的数据可能不是最新的',
      'empty': '没有可显示的冷库或实验室监测点。设备需要在规则文件中分配存储类型（冷藏库、冷冻库、实验室冰箱、危化品库）并已上报读数。',
      'profile.cold-storage': '冷藏库',
      'profile.freezer': '冷冻库',
      'profile.lab-fridge': '实验室冰箱',
      'profile.chem-store': '危化品库',
      'state.ok': '正常',
      'state.out': '超出范围',
      'state.stale': '数据过期',
      'state.nodata': '无数据',
      'state.unknown': '未设定范围',
      'band.normal': '正常范围',
      'band.alarm': '报警范围',
      'band.none': '未设定',
      'band.raiseFor': '超限持续{d}报警',
      'band.raiseNow': '超限立即报警',
      'today.minmax': '今日最低 / 最高',
      'today.out': '今日超限',
      'today.unavailable': '暂无法读取',
      'dur.s': '{n}秒',
      'dur.m': '{n}分钟',
      'dur.h': '{n}小时',
      'dur.hm': '{h}小时{m}分钟',
      'reading.at': '读数时间 {time}',
      'reading.never': '尚无读数',
      'alarm.active_unack': '报警 · 未确认',
      'alarm.active_ack': '报警 · 已确认',
      'alarm.cleared_unack': '已恢复 · 未确认',
      'alarm.shelved': '报警已搁置',
      'alarm.suppressed': '维护中',
      'alarm.more': '+{n}',
      'card.aria': '{device}：查看历史曲线',
      'history.title': '历史曲线 · {device}',
      'history.sub': '{profile} · {site} · 每点为{step}平均值，浅色带为最低–最高，红色区域为超限范围；{zone}时间',
      'step.1m': '1分钟',
      'step.5m': '5分钟',
      'step.1h': '1小时',
      'range.6h': '6小时',
      'range.24h': '24小时',
      'range.7d': '7天',
      'range.30d': '30天',
      'export': '导出 CSV',
      'exporting': '正在导出…',
      'export.failed': '导出失败：{detail}',
      'history.failed': '无法读取历史数据：{detail}',
      'history.empty': '此时段没有读数',
      'history.noLib': '图表组件加载失败，无法显示曲线（CSV 导出仍可使用）',
      'series.mean': '平均',
      'series.range': '最低–最高',
      'series.min': '最低',
      'series.max': '最高',
      'series.count': '样本数',
      'limit.high': '上限 {v}',
      'limit.low': '下限 {v}',
      'limit.alarm': '报警线 {v}',
      'updated': '数据更新于 {time}',
      'method': '今日数据从学校所在时区（{zone}）0点起计。超限时间：每分钟平均值超出正常范围的分钟数；无读数的分钟沿用上一分钟的状态（最多10分钟）。',
      'network': '网络错误'
    },
    'en': {
      'title': 'Cold storage & lab temperatures',
      'rooms.heading': 'Monitored rooms',
      'lang.toggle': '中文',
      'lang.aria': '切换到中文',
      'status.live': 'Live',
      'status.connecting': 'Connecting…',
      'status.reconnecting': 'Reconnecting…',
      'status.disconnected': 'Disconnected',
      'status.polling': 'Refreshing every 30 s',
      'banner.fetch': 'Cannot load data from the server, retrying…  What is shown may be out of date',
      'empty': 'No cold-storage or lab rooms to show. A device appears here once the rules file gives it a storage profile (cold-storage, freezer, lab-fridge, chem-store) and it has sent readings.',
      'profile.cold-storage': 'Cold storage',
      'profile.freezer': 'Freezer',
      'profile.lab-fridge': 'Lab fridge',
      'profile.chem-store': 'Chemical store',
      'state.ok': 'In range',
      'state.out': 'OUT OF RANGE',
      'state.stale': 'Data stale',
      'state.nodata': 'No data',
      'state.unknown': 'No limits set',
      'band.normal': 'Normal range',
      'band.alarm': 'Alarm range',
      'band.none': 'Not set',
      'band.raiseFor': 'alarm after {d} out of range',
      'band.raiseNow': 'alarm at once',
      'today.minmax': 'Today low / high',
      'today.out': 'Out of range today',
      'today.unavailable': 'unavailable',
      'dur.s': '{n} s',
      'dur.m': '{n} min',
      'dur.h': '{n} h',
      'dur.hm': '{h} h {m} min',
      'reading.at': 'Reading at {time}',
      'reading.never': 'No reading yet',
      'alarm.active_unack': 'Alarm · unacknowledged',
      'alarm.active_ack': 'Alarm · acknowledged',
      'alarm.cleared_unack': 'Cleared · unacknowledged',
      'alarm.shelved': 'Alarm shelved',
      'alarm.suppressed': 'Maintenance',
      'alarm.more': '+{n}',
      'card.aria': '{device}: show history',
      'history.title': 'History · {device}',
      'history.sub': '{profile} · {site} · each point a {step} mean, the light band min–max, red areas out of range; {zone} time',
      'step.1m': '1-minute',
      'step.5m': '5-minute',
      'step.1h': '1-hour',
      'range.6h': '6 h',
      'range.24h': '24 h',
      'range.7d': '7 days',
      'range.30d': '30 days',
      'export': 'Export CSV',
      'exporting': 'Exporting…',
      'export.failed': 'Export failed: {detail}',
      'history.failed': 'Cannot load the history: {detail}',
      'history.empty': 'No readings in this period',
      'history.noLib': 'The chart library failed to load: no chart (CSV export still works)',
      'series.mean': 'Mean',
      'series.range': 'Min–max',
      'series.min': 'Min',
      'series.max': 'Max',
      'series.count': 'Readings',
      'limit.high': 'High {v}',
      'limit.low': 'Low {v}',
      'limit.alarm': 'Alarm {v}',
      'updated': 'Updated {time}',
      'method': 'Today counts from midnight in the school\'s time zone ({zone}). Out of range: minutes whose mean reading is outside the normal range; a minute without readings keeps the state of the minute before (for up to 10 minutes).',
      'network': 'network error'
    }
  };

  // ---- State --------------------------------------------------------------
  var state = {
    me: null,
    mode: 'live',                // live (SignalR pushes) | poll
    conn: 'connecting',          // connecting | connected | reconnecting | disconnected
    zone: 'Asia/Shanghai',
    offsetMinutes: 480,          // the zone's offset now, from the server: used when the browser does not know the zone
    skewMs: 0,                   // server clock minus browser clock
    dayStart: null,
    rooms: [],
    selected: null,              // site + '/' + device
    range: '24h',
    fetchFailed: false,
    fetchedAt: null,
    history: null                // { key, range, start, end, stepMs, body }
  };

  var cards = new Map();         // key -> card element
  var chart = null;
  var historySeq = 0;

  // ---- Helpers -------------------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function lang() { return I18N && I18N.getLang() === 'en' ? 'en' : 'zh-CN'; }

  function tr(key, vars) {
    var s = TEXT[lang()][key];
    if (s === undefined) s = TEXT['zh-CN'][key];
    if (s === undefined) return key;
    if (!vars) return s;
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : m;
    });
  }

  function keyOf(site, device) { return site + '/' + device; }

  function findRoom(key) {
    for (var i = 0; i < state.rooms.length; i++) {
      if (keyOf(state.rooms[i].site, state.rooms[i].device) === key) return state.rooms[i];
    }
    return null;
  }

  function serverNow() { return Date.now() + state.skewMs; }

  function profileName(profile) {
    var key = 'profile.' + profile;
    return TEXT[lang()][key] !== undefined ? tr(key) : profile;
  }

  function num(v, unit) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var text = (Math.round(v * 10) / 10).toFixed(1);
    return unit ? text + ' ' + unit : text;
  }

  function limitText(v, unit) {
    var text = String(Math.round(v * 100) / 100);
    return unit ? text + ' ' + unit : text;
  }

  function durationText(seconds) {
    if (seconds === 0) return null;
    if (seconds % 3600 === 0) return tr('dur.h', { n: seconds / 3600 });
    if (seconds % 60 === 0) return tr('dur.m', { n: seconds / 60 });
    return tr('dur.s', { n: seconds });
  }

  function minutesText(minutes) {
    if (minutes >= 60) return tr('dur.hm', { h: Math.floor(minutes / 60), m: minutes % 60 });
    return tr('dur.m', { n: minutes });
  }

  // ---- The school's time zone ----------------------------------------------
  // Offsets come from the browser's time-zone data (Intl) when it knows the zone, else the server's offset of now.
  var zoneFormat = { zone: null, fmt: null };
  var offsetCache = {};

  function zoneFormatter() {
    if (zoneFormat.zone !== state.zone) {
      var fmt = null;
      try {
        fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: state.zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
          hour: '2-digit', minute: '2-digit', second: '2-digit'
        });
      } catch (e) {
        fmt = null;
      }
      zoneFormat = { zone: state.zone, fmt: fmt };
      offsetCache = {};
    }
    return zoneFormat.fmt;
  }

  /** The school's UTC offset (ms) at an instant; looked up once per hour of time. */
  function offsetAt(ms) {
    var fmt = zoneFormatter();
    if (!fmt) return state.offsetMinutes * 60000;
    var hour = Math.floor(ms / 3600000);
    if (offsetCache[hour] !== undefined) return offsetCache[hour];
    var parts = {};
    fmt.formatToParts(new Date(hour * 3600000)).forEach(function (p) { parts[p.type] = p.value; });
    var asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
    offsetCache[hour] = asUtc - hour * 3600000;
    return offsetCache[hour];
  }

  /** The instant moved so that its UTC fields read as the school's wall clock (what the chart's UTC axis shows). */
  function shifted(ms) { return ms + offsetAt(ms); }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function wallClock(ms, withDate, withSeconds) {
    var d = new Date(shifted(ms));
    var time = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + (withSeconds ? ':' + pad(d.getUTCSeconds()) : '');
    if (!withDate) return time;
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + time;
  }

  /** Today (school time) → time only; another day → date and time. */
  function readingTime(ms) {
    var sameDay = state.dayStart && ms >= Date.parse(state.dayStart) && ms < Date.parse(state.dayStart) + 86400000;
    return wallClock(ms, !sameDay, true);
  }

  // ---- Server --------------------------------------------------------------
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { CampusAuth.toLogin(); throw new Error('401'); }
      if (!res.ok) {
        return res.json().catch(function () { return null; }).then(function (p) {
          throw new Error((p && (p.detail || p.title)) || 'HTTP ' + res.status);
        });
      }
      return res.json();
    });
  }

  var roomsInFlight = null;

  function fetchRooms() {
    if (roomsInFlight) return roomsInFlight;
    roomsInFlight = getJson(API_ROOMS)
      .then(function (body) {
        state.zone = body.timeZone || state.zone;
        state.offsetMinutes = typeof body.utcOffsetMinutes === 'number' ? body.utcOffsetMinutes : state.offsetMinutes;
        state.skewMs = Date.parse(body.now) - Date.now();
        state.dayStart = body.dayStart;
        state.rooms = body.rooms || [];
        state.fetchFailed = false;
        state.fetchedAt = Date.now();
        if (!state.selected || !findRoom(state.selected)) {
          state.selected = state.rooms.length ? keyOf(state.rooms[0].site, state.rooms[0].device) : null;
        }
        renderRooms();
        renderHistoryHead();
        // The last day moves on: the short periods are fetched again with every refresh.
        var h = state.history;
        if (!h || h.key !== state.selected || h.range !== state.range || state.range === '6h' || state.range === '24h') loadHistory();
      })
      .catch(function (err) {
        console.warn('[rooms] GET ' + API_ROOMS + ' failed:', err);
        state.fetchFailed = true;
      })
      .finally(function () {
        roomsInFlight = null;
        renderStatus();
      });
    return roomsInFlight;
  }

  var refreshTimer = null;

  /** A refresh soon (several alarm changes in a row make one request). */
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(fetchRooms, 1000);
  }

  // ---- Cards ---------------------------------------------------------------
  function roomState(room) {
    if (room.value === null || room.value === undefined) return 'nodata';
    if (room.ts && serverNow() - Date.parse(room.ts) > STALE_MS) return 'stale';
    if (room.inBand === false) return 'out';
    if (room.inBand === true) return 'ok';
    return 'unknown';
  }

  function bandOf(room) {
    if (room.raiseWhenOutside) return { kind: 'normal', band: room.raiseWhenOutside };
    if (room.raiseWhenInside) return { kind: 'alarm', band: room.raiseWhenInside };
    return null;
  }

  function bandText(band, unit) {
    var lo = band.low, hi = band.high;
    if (lo !== null && lo !== undefined && hi !== null && hi !== undefined) return limitText(lo, '') + ' ~ ' + limitText(hi, unit);
    if (hi !== null && hi !== undefined) return '≤ ' + limitText(hi, unit);
    if (lo !== null && lo !== undefined) return '≥ ' + limitText(lo, unit);
    return '—';
  }

  function inBand(room, value) {
    var b = bandOf(room);
    if (!b) return null;
    var lo = b.band.low, hi = b.band.high;
    var inside = (lo === null || lo === undefined || value >= lo) && (hi === null || hi === undefined || value <= hi);
    return b.kind === 'normal' ? inside : !inside;
  }

  function renderRooms() {
    var grid = $('room-grid');
    var seen = {};
    state.rooms.forEach(function (room, index) {
      var key = keyOf(room.site, room.device);
      seen[key] = true;
      var card = cards.get(key);
      if (!card) {
        card = el('article', 'room-card');
        card.setAttribute('data-testid', 'room-card');
        card.setAttribute('role', 'button');
        card.tabIndex = 0;
        card.addEventListener('click', function () { select(key); });
        card.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(key); }
        });
        cards.set(key, card);
      }
      renderCard(card, room);
      if (grid.children[index] !== card) grid.insertBefore(card, grid.children[index] || null);
    });
    cards.forEach(function (card, key) {
      if (!seen[key]) { card.remove(); cards.delete(key); }
    });
    var empty = $('rooms-empty');
    empty.hidden = state.rooms.length > 0 || !state.fetchedAt;
    empty.textContent = tr('empty');
    $('history').hidden = !state.selected;
    renderUpdated();
  }

  /** The room's place (Campus:Sites locations), else its device id; the school's name, else its id. */
  function placeOf(room) { return room.location ? room.location + ' · ' + room.device : room.device; }
  function schoolOf(room) { return room.siteName || room.site; }

  function renderCard(card, room) {
    var key = keyOf(room.site, room.device);
    var st = roomState(room);
    card.setAttribute('data-site', room.site);
    card.setAttribute('data-device', room.device);
    card.setAttribute('data-state', st);
    card.setAttribute('data-selected', String(key === state.selected));
    card.setAttribute('aria-pressed', String(key === state.selected));
    card.setAttribute('aria-label', tr('card.aria', { device: placeOf(room) }));
    card.textContent = '';

    var head = el('header', 'room-head');
    var names = el('div', 'room-names');
    // Where first, in words (食堂 / 1F / 冷藏库 1), with the device id under it for the technician; the id when no place is set.
    names.appendChild(el('div', 'room-name', room.location || room.device));
    var sub = el('div', 'room-profile', [profileName(room.profile), room.location ? room.device : null, schoolOf(room)].filter(Boolean).join(' · '));
    names.appendChild(sub);
    head.appendChild(names);
    card.appendChild(head);
    var alarms = room.alarms || [];
    if (alarms.length) {
      var badge = el('div', 'room-alarm', tr('alarm.' + alarms[0].state) + (alarms.length > 1 ? ' ' + tr('alarm.more', { n: alarms.length - 1 }) : ''));
      badge.setAttribute('data-testid', 'room-alarm');
      badge.setAttribute('data-state', alarms[0].state);
      badge.setAttribute('data-severity', alarms[0].severity);
      card.appendChild(badge);
    }

    var valueRow = el('div', 'room-value-row');
    var value = el('div', 'room-value');
    value.setAttribute('data-testid', 'room-value');
    value.appendChild(el('span', 'num', num(room.value)));
    value.appendChild(el('span', 'unit', room.unit));
    valueRow.appendChild(value);
    var status = el('span', 'room-status', tr('state.' + st));
    status.setAttribute('data-testid', 'room-status');
    valueRow.appendChild(status);
    card.appendChild(valueRow);

    var facts = el('dl', 'room-facts');
    var b = bandOf(room);
    facts.appendChild(el('dt', null, tr(b && b.kind === 'alarm' ? 'band.alarm' : 'band.normal')));
    var bandDd = el('dd', null, b ? bandText(b.band, room.unit) : tr('band.none'));
    bandDd.setAttribute('data-testid', 'room-band');
    if (b && room.raiseForSeconds !== null && room.raiseForSeconds !== undefined) {
      var d = durationText(room.raiseForSeconds);
      bandDd.appendChild(el('span', 'room-raise', d ? tr('band.raiseFor', { d: d }) : tr('band.raiseNow')));
    }
    facts.appendChild(bandDd);

    facts.appendChild(el('dt', null, tr('today.minmax')));
    var today = room.today;
    var minmax = el('dd', null, today ? num(today.min) + ' / ' + num(today.max, room.unit) : tr('today.unavailable'));
    minmax.setAttribute('data-testid', 'room-minmax');
    facts.appendChild(minmax);

    facts.appendChild(el('dt', null, tr('today.out')));
    var out = el('dd', today && today.minutesOutOfRange > 0 ? 'room-out has-out' : 'room-out', today ? minutesText(today.minutesOutOfRange) : tr('today.unavailable'));
    out.setAttribute('data-testid', 'room-out');
    if (today) out.setAttribute('data-minutes', String(today.minutesOutOfRange));
    facts.appendChild(out);
    card.appendChild(facts);

    var foot = el('footer', 'room-updated', room.ts ? tr('reading.at', { time: readingTime(Date.parse(room.ts)) }) : tr('reading.never'));
    card.appendChild(foot);
  }

  function renderUpdated() {
    $('rooms-updated').textContent = state.fetchedAt ? tr('updated', { time: wallClock(state.fetchedAt + state.skewMs, false, true) }) : '';
    $('rooms-method').textContent = tr('method', { zone: state.zone });
  }

  function select(key) {
    if (state.selected === key) return;
    state.selected = key;
    cards.forEach(function (card, k) {
      card.setAttribute('data-selected', String(k === key));
      card.setAttribute('aria-pressed', String(k === key));
    });
    writeHash();
    renderHistoryHead();
    loadHistory();
  }

  // ---- Live readings ---------------------------------------------------------
  function onReadings(message) {
    if (!message || !Array.isArray(message.readings)) return;
    var changed = {};
    message.readings.forEach(function (r) {
      var key = keyOf(message.site, r.device);
      var room = findRoom(key);
      if (!room || r.metric !== room.metric) return;
      var ts = Date.parse(r.ts);
      if (room.ts && ts < Date.parse(room.ts)) return;   // a late reading from a spool does not replace a newer value
      room.value = r.value;
      room.ts = r.ts;
      room.inBand = inBand(room, r.value);
      if (room.today && state.dayStart && ts >= Date.parse(state.dayStart)) {
        room.today.min = room.today.min === null ? r.value : Math.min(room.today.min, r.value);
        room.today.max = room.today.max === null ? r.value : Math.max(room.today.max, r.value);
        room.today.count += 1;
      }
      changed[key] = room;
    });
    Object.keys(changed).forEach(function (key) {
      var card = cards.get(key);
      if (card) renderCard(card, changed[key]);
    });
  }

  function onAlarmChanged(alarm) {
    if (alarm && alarm.device && findRoom(keyOf(alarm.site, alarm.device))) refreshSoon();
  }

  var hub = null;
  var startTimer = null;
  var startAttempt = 0;
  var siteGroups = ['*'];

  function startLive() {
    var signalR = window.signalR;
    hub = new signalR.HubConnectionBuilder()
      .withUrl(HUB_URL)
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: function (ctx) {
          return ctx.previousRetryCount < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[ctx.previousRetryCount] : RETRY_MAX_MS;
        }
      })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    hub.on('readings', onReadings);
    hub.on('alarmChanged', onAlarmChanged);
    hub.on('notification', function () { });   // for the board: the room card follows alarmChanged
    // The live link dropped: read again at once, so a server that is down shows as the banner (the cards may be stale),
    // not only as the small status pill.
    hub.onreconnecting(function () { setConn('reconnecting'); fetchRooms(); });
    hub.onreconnected(function () { join(); });
    hub.onclose(function () { setConn('disconnected'); fetchRooms(); scheduleStart(RETRY_MAX_MS); });
    tryStart();
  }

  function scheduleStart(delay) {
    clearTimeout(startTimer);
    startTimer = setTimeout(tryStart, delay);
  }

  function tryStart() {
    if (!hub || hub.state !== window.signalR.HubConnectionState.Disconnected) return;
    hub.start()
      .then(function () { startAttempt = 0; return join(); })
      .catch(function (err) {
        console.warn('[rooms] live connection failed', err);
        startAttempt += 1;
        setConn('disconnected');
        fetchRooms();
        scheduleStart(startAttempt < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[startAttempt] : RETRY_MAX_MS);
      });
  }

  /** Join the user's schools (or every school), then fetch again: pushes may have been missed meanwhile. */
  function join() {
    return Promise.all(siteGroups.map(function (site) { return hub.invoke('JoinSite', site); }))
      .then(function () { setConn('connected'); return fetchRooms(); })
      .catch(function (err) {
        // The hub refuses the groups (a room-bound account): poll instead of retrying forever.
        console.warn('[rooms] JoinSite refused, polling instead', err);
        hub.off('readings');
        hub.off('alarmChanged');
        var h = hub;
        hub = null;
        h.stop();
        startPolling();
      });
  }

  function setConn(s) {
    state.conn = s;
    renderStatus();
  }

  var pollTimer = null;

  function startPolling() {
    state.mode = 'poll';
    renderStatus();
    clearInterval(pollTimer);
    pollTimer = setInterval(fetchRooms, POLL_MS);
  }

  function renderStatus() {
    var box = $('live-status');
    var s = state.mode === 'poll' ? 'polling' : state.conn;
    box.setAttribute('data-state', s);
    box.textContent = tr({
      polling: 'status.polling', connected: 'status.live', connecting: 'status.connecting',
      reconnecting: 'status.reconnecting', disconnected: 'status.disconnected'
    }[s]);
    var banner = $('fetch-banner');
    banner.hidden = !state.fetchFailed;
    banner.textContent = tr('banner.fetch');
  }

  // ---- History chart ---------------------------------------------------------
  function period() {
    var r = RANGES[state.range];
    var end = Math.ceil(serverNow() / r.stepMs) * r.stepMs;
    return { start: end - r.ms, end: end, step: r.step, stepMs: r.stepMs };
  }

  function query(room, p) {
    return new URLSearchParams({
      site: room.site, device: room.device, metric: room.metric,
      from: new Date(p.start).toISOString(), to: new Date(p.end).toISOString(), step: p.step
    }).toString();
  }

  function renderHistoryHead() {
    var room = findRoom(state.selected);
    if (!room) return;
    $('history-title').textContent = tr('history.title', { device: placeOf(room) });
    $('history-sub').textContent = tr('history.sub', {
      profile: profileName(room.profile), site: schoolOf(room), step: tr('step.' + RANGES[state.range].step), zone: state.zone
    });
    document.querySelectorAll('#range-buttons button').forEach(function (button) {
      var r = button.getAttribute('data-range');
      button.textContent = tr('range.' + r);
      button.setAttribute('aria-pressed', String(r === state.range));
    });
    var exportButton = $('export-csv');
    if (!exportButton.disabled) exportButton.textContent = tr('export');
  }

  function loadHistory() {
    var room = findRoom(state.selected);
    if (!room) return;
    var key = state.selected;
    var range = state.range;
    var p = period();
    var seq = ++historySeq;
    var chartEl = $('chart');
    if (!state.history || state.history.key !== key || state.history.range !== range) chartEl.setAttribute('data-state', 'loading');
    getJson(API_READINGS + '?' + query(room, p))
      .then(function (body) {
        if (seq !== historySeq) return;
        $('history-error').hidden = true;
        state.history = { key: key, range: range, start: p.start, end: p.end, stepMs: p.stepMs, body: body };
        drawChart();
      })
      .catch(function (err) {
        if (seq !== historySeq) return;
        showHistoryError(tr('history.failed', { detail: err && err.message ? err.message : tr('network') }));
        chartEl.setAttribute('data-state', 'error');
      });
  }

  function showHistoryError(text) {
    var box = $('history-error');
    box.textContent = text;
    box.hidden = false;
  }

  function ensureChart() {
    if (chart) return chart;
    if (!window.echarts) return null;
    chart = window.echarts.init($('chart'), null, { renderer: 'canvas', locale: lang() === 'en' ? 'EN' : 'ZH' });
    return chart;
  }

  /** Round y-axis bounds and step (1, 2, 2.5 or 5 × 10ⁿ) around [lo, hi] with a little room above and below. */
  function niceAxis(lo, hi) {
    var span = Math.max(hi - lo, 1);
    var rough = span * 1.2 / 6;
    var magnitude = Math.pow(10, Math.floor(Math.log(rough) / Math.LN10));
    var interval = [1, 2, 2.5, 5, 10].map(function (m) { return m * magnitude; }).filter(function (v) { return v >= rough; })[0];
    return {
      min: Math.floor((lo - span * 0.08) / interval) * interval,
      max: Math.ceil((hi + span * 0.08) / interval) * interval,
      interval: interval
    };
  }

  function drawChart() {
    var h = state.history;
    var chartEl = $('chart');
    if (!h) return;
    var room = findRoom(h.key);
    if (!room) return;
    var c = ensureChart();
    if (!c) {
      showHistoryError(tr('history.noLib'));
      chartEl.setAttribute('data-state', 'error');
      return;
    }

    var unit = h.body.unit || room.unit;
    var gapMs = Math.max(3 * h.stepMs, 20 * 60000);
    var mean = [], low = [], span = [], meta = [];
    var dataMin = Infinity, dataMax = -Infinity, previous = null, count = 0;
    (h.body.points || []).forEach(function (p) {
      var t = Date.parse(p.ts);
      if (previous !== null && t - previous > gapMs) {
        // A silence longer than a few steps is a gap in the line, not a straight line across it.
        var g = shifted(previous + h.stepMs);
        mean.push([g, null]); low.push([g, null]); span.push([g, null]); meta.push(null);
      }
      var x = shifted(t);
      mean.push([x, Math.round(p.mean * 100) / 100]);
      low.push([x, p.min]);
      span.push([x, Math.round((p.max - p.min) * 1000) / 1000]);
      meta.push(p);
      dataMin = Math.min(dataMin, p.min);
      dataMax = Math.max(dataMax, p.max);
      previous = t;
      count += 1;
    });

    // The y axis covers the readings and the limits, so the band is always in view.
    var b = bandOf(room);
    var limits = [];
    if (b) {
      if (b.band.low !== null && b.band.low !== undefined) limits.push(b.band.low);
      if (b.band.high !== null && b.band.high !== undefined) limits.push(b.band.high);
    }
    var lo = Math.min.apply(null, limits.concat(count ? [dataMin] : []));
    var hi = Math.max.apply(null, limits.concat(count ? [dataMax] : []));
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 10; }
    var axis = niceAxis(lo, hi);
    var yMin = axis.min;
    var yMax = axis.max;

    var areas = [];
    var lines = [];
    var red = '#e0242b';
    if (b) {
      var bl = b.band.low, bh = b.band.high;
      var hasLow = bl !== null && bl !== undefined, hasHigh = bh !== null && bh !== undefined;
      if (b.kind === 'normal') {
        if (hasLow) { areas.push([{ yAxis: yMin }, { yAxis: bl }]); lines.push({ yAxis: bl, label: tr('limit.low', { v: limitText(bl, unit) }) }); }
        if (hasHigh) { areas.push([{ yAxis: bh }, { yAxis: yMax }]); lines.push({ yAxis: bh, label: tr('limit.high', { v: limitText(bh, unit) }) }); }
      } else {
        areas.push([{ yAxis: hasLow ? bl : yMin }, { yAxis: hasHigh ? bh : yMax }]);
        if (hasLow) lines.push({ yAxis: bl, label: tr('limit.alarm', { v: limitText(bl, unit) }) });
        if (hasHigh) lines.push({ yAxis: bh, label: tr('limit.alarm', { v: limitText(bh, unit) }) });
      }
    }

    var muted = '#a9b4c2';
    var grid = '#2c3746';
    var option = {
      useUTC: true,   // the x values are already moved to the school's wall clock
      animation: false,
      backgroundColor: 'transparent',
      textStyle: { color: muted, fontFamily: getComputedStyle(document.body).fontFamily },
      grid: { left: 56, right: 120, top: 48, bottom: 40 },
      legend: {
        top: 6, left: 'center', textStyle: { color: '#f1f4f8', fontSize: 14 },
        data: [tr('series.mean'), tr('series.range')]
      },
      tooltip: {
        trigger: 'axis',
        backgroundColor: '#1b232e',
        borderColor: grid,
        textStyle: { color: '#f1f4f8' },
        formatter: function (items) {
          var item = items && items.length ? items[0] : null;
          var p = item ? meta[item.dataIndex] : null;
          if (!p) return '';
          var t = Date.parse(p.ts);
          var lines = [wallClock(t, true, false)];
          lines.push(tr('series.mean') + '：' + num(p.mean, unit));
          lines.push(tr('series.min') + ' / ' + tr('series.max') + '：' + num(p.min) + ' / ' + num(p.max, unit));
          lines.push(tr('series.count') + '：' + p.count);
          return lines.map(function (line) { return line.replace(/[&<>]/g, function (ch) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;' }[ch]; }); }).join('<br>');
        }
      },
      xAxis: {
        type: 'time',
        min: shifted(h.start),
        max: shifted(h.end),
        axisLine: { lineStyle: { color: grid } },
        axisLabel: {
          color: muted, fontSize: 14, hideOverlap: true,
          formatter: { year: '{yyyy}', month: '{MM}-{dd}', day: '{MM}-{dd}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', none: '{MM}-{dd} {HH}:{mm}' }
        },
        splitLine: { show: false }
      },
      yAxis: {
        type: 'value',
        min: yMin,
        max: yMax,
        interval: axis.interval,
        name: unit,
        nameTextStyle: { color: muted, fontSize: 14 },
        axisLabel: { color: muted, fontSize: 14, formatter: function (v) { return String(Math.round(v * 1000) / 1000); } },
        splitLine: { lineStyle: { color: grid } }
      },
      series: [
        {
          name: 'min', type: 'line', data: low, stack: 'range', stackStrategy: 'all', symbol: 'none',
          lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false }, connectNulls: false
        },
        {
          name: tr('series.range'), type: 'line', data: span, stack: 'range', stackStrategy: 'all', symbol: 'none',
          lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(79, 195, 247, 0.25)' }, itemStyle: { color: 'rgba(79, 195, 247, 0.5)' },
          silent: true, connectNulls: false
        },
        {
          name: tr('series.mean'), type: 'line', data: mean, symbol: count <= 60 ? 'circle' : 'none', symbolSize: 6,
          showSymbol: count <= 60, connectNulls: false,
          lineStyle: { color: '#4fc3f7', width: 2.5 }, itemStyle: { color: '#4fc3f7' },
          markArea: { silent: true, itemStyle: { color: 'rgba(224, 36, 43, 0.14)' }, data: areas },
          markLine: {
            silent: true, symbol: 'none',
            lineStyle: { color: red, type: 'dashed', width: 2 },
            label: { position: 'end', color: '#ff8a80', fontSize: 13 },
            data: lines.map(function (l) { return { yAxis: l.yAxis, label: { formatter: l.label.replace(/[{}]/g, '') } }; })
          }
        }
      ],
      title: count ? { show: false } : {
        show: true, text: tr('history.empty'), left: 'center', top: 'middle',
        textStyle: { color: muted, fontSize: 18, fontWeight: 'normal' }
      }
    };
    c.setOption(option, true);
    chartEl.setAttribute('data-points', String(count));
    chartEl.setAttribute('data-device', room.device);
    chartEl.setAttribute('data-range', h.range);
    chartEl.setAttribute('data-state', count ? 'ready' : 'empty');
  }

  // ---- CSV export --------------------------------------------------------------
  function fileNameOf(disposition) {
    if (!disposition) return null;
    var star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) { /* fall through */ } }
    var plain = /filename="?([^";]+)"?/i.exec(disposition);
    return plain ? plain[1] : null;
  }

  function exportCsv() {
    var room = findRoom(state.selected);
    if (!room) return;
    var h = state.history;
    // The period on the chart (or, before it loaded, the chosen one now).
    var p = h && h.key === state.selected && h.range === state.range
      ? { start: h.start, end: h.end, step: RANGES[state.range].step }
      : period();
    var button = $('export-csv');
    button.disabled = true;
    button.textContent = tr('exporting');
    $('history-error').hidden = true;
    fetch(API_EXPORT + '?' + query(room, p), { cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) { CampusAuth.toLogin(); throw new Error('401'); }
        if (!res.ok) {
          return res.json().catch(function () { return null; }).then(function (problem) {
            throw new Error((problem && (problem.detail || problem.title)) || 'HTTP ' + res.status);
          });
        }
        var name = fileNameOf(res.headers.get('Content-Disposition')) || 'readings.csv';
        return res.blob().then(function (blob) { return { blob: blob, name: name }; });
      })
      .then(function (file) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(file.blob);
        a.download = file.name;
        a.hidden = true;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
      })
      .catch(function (err) {
        showHistoryError(tr('export.failed', { detail: err && err.message ? err.message : tr('network') }));
      })
      .finally(function () {
        button.disabled = false;
        button.textContent = tr('export');
      });
  }

  // ---- Address (#room=site/device&range=24h) ----------------------------------
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (params.get('room')) state.selected = params.get('room');
    if (RANGES[params.get('range')]) state.range = params.get('range');
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.selected) params.set('room', state.selected);
    params.set('range', state.range);
    history.replaceState(null, '', '#' + params.toString());
  }

  // ---- Language ----------------------------------------------------------------
  function renderStatic() {
    document.documentElement.lang = lang();
    document.title = tr('title');
    document.querySelectorAll('[data-t]').forEach(function (node) { node.textContent = tr(node.getAttribute('data-t')); });
    // The links between the pages (js/i18n.js's shared table).
    if (I18N) document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = I18N.t(node.getAttribute('data-i18n')); });
    var toggle = $('lang-toggle');
    toggle.textContent = tr('lang.toggle');
    toggle.setAttribute('aria-label', tr('lang.aria'));
    renderUpdated();
  }

  function renderEverything() {
    renderStatic();
    renderStatus();
    renderRooms();
    renderHistoryHead();
    if (chart) { chart.dispose(); chart = null; }   // the chart's own words (locale) follow the language too
    drawChart();
  }

  // ---- Start-up ----------------------------------------------------------------
  function init() {
    readHash();
    renderStatic();
    renderStatus();
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      renderEverything();
      CampusAuth.renderUser($('user-box'), state.me);
    });
    document.querySelectorAll('#range-buttons button').forEach(function (button) {
      button.addEventListener('click', function () {
        var r = button.getAttribute('data-range');
        if (r === state.range) return;
        state.range = r;
        writeHash();
        renderHistoryHead();
        loadHistory();
      });
    });
    $('export-csv').addEventListener('click', exportCsv);
    window.addEventListener('resize', function () { if (chart) chart.resize(); });
    // Keyboard: the period with the arrow keys when a range button has the focus.
    $('range-buttons').addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
      var i = RANGE_ORDER.indexOf(state.range) + (ev.key === 'ArrowRight' ? 1 : -1);
      if (i < 0 || i >= RANGE_ORDER.length) return;
      var next = document.querySelector('#range-buttons [data-range="' + RANGE_ORDER[i] + '"]');
      next.focus();
      next.click();
    });
    // Time labels ("reading at", stale state) age with the clock.
    setInterval(function () { renderRooms(); }, 30000);

    CampusAuth.me().then(function (me) {
      if (!me) return;
      state.me = me;
      CampusAuth.renderUser($('user-box'), me);
      var roomBound = me.role === 'lab_manager' || me.role === 'canteen_manager';
      if (!(me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0)) siteGroups = me.sites || [];
      fetchRooms();
      if (roomBound || !window.signalR || !window.signalR.HubConnectionBuilder || !siteGroups.length) {
        // Lab and canteen managers see their rooms only, which a school's live group cannot express: poll.
        startPolling();
      } else {
        state.mode = 'live';
        setInterval(fetchRooms, REFRESH_MS);
        startLive();
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
