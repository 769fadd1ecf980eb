/*
 * Campus.IoT — district sensor-health view (health.html).
 * Plain script (no framework, no build step, no external URLs). Needs js/i18n.js, js/auth.js and, for live updates,
 * lib/signalr/signalr.min.js.
 *
 * The district list is GET /api/sites (one aggregated row per school, so 500 schools x 200 devices is 500 rows); a
 * school is GET /api/health/sensors?site= (its gateways and devices), a device's last values GET /api/devices?site=.
 * Where: location.hash — #site=school-01&building=lab3&device=lab3-fridge-1 — so Back works and links can be shared.
 * Live: the hub's deviceHealthChanged updates a school's row and reloads the open school; every 30 s a full re-read.
 * All server data goes into the DOM with textContent / attributes only.
 *
 * Timing marks for the benchmark (docs/benchmarks.md): after the first district render the table gets data-render-ms
 * (performance.now() once the rows are painted, i.e. since navigation start), data-fetch-ms (GET /api/sites incl.
 * JSON parse), data-build-ms (building the rows) and data-layout-ms (the browser laying them out).
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;
  var parseTime = window.CampusCommon.parseTime;
  var pad2 = window.CampusCommon.pad2;

  var I18N = window.CampusI18n;
  var t = I18N.t;

  Object.assign(I18N.STRINGS['zh-CN'], {
    'health.title': '传感器健康 · 全区学校',
    'health.title.short': '传感器健康',
    'health.district': '全区',
    'health.filter.sites': '按学校名称或编号筛选…',
    'health.filter.devices': '按设备或网关编号筛选…',
    'health.onlyProblems': '只看有问题的',
    'health.shown': '显示 {n} / {total}',
    'health.gateways': '网关',
    'health.buildings': '楼栋（点击查看设备）',
    'health.devices.all': '全部设备',
    'health.devices.building': '{building} 的设备',
    'health.empty.sites': '没有符合条件的学校',
    'health.empty.none': '尚未收到任何学校的数据',
    'health.empty.devices': '没有符合条件的设备',
    'health.empty.gateways': '尚未收到网关信息',
    'health.unknownGateways': '{n} 未报',
    'health.updated': '数据时间 {time}',
    'health.fetchFailed': '无法从服务器获取数据，正在重试…',
    'health.forbidden': '您无权查看 {site}',
    'health.live.connected': '实时更新',
    'health.live.reconnecting': '正在连接…',
    'health.live.disconnected': '实时连接断开，每30秒刷新',
    'health.live.polling': '每30秒刷新',
    'health.legend': '迟报：超过上报间隔两倍未收到数据；离线：超过离线阈值、有离线报警或网关离线；故障：读数不变、主机故障或电量低于 {battery}%',
    'col.site': '学校',
    'col.state': '状态',
    'col.sensors': '传感器',
    'col.online': '在线',
    'col.stale': '迟报',
    'col.faulty': '故障',
    'col.offline': '离线',
    'col.gateways': '网关在线',
    'col.gwOffline': '网关离线',
    'col.seqGaps': '消息缺口',
    'col.battery': '最低电量',
    'col.rssi': '最弱信号',
    'col.lastSeen': '最后通信',
    'col.gateway': '网关',
    'col.devices': '设备',
    'col.version': '版本',
    'col.spooled': '待补传',
    'col.uptime': '已运行',
    'col.duplicates': '重复消息',
    'col.building': '楼栋',
    'col.device': '设备',
    'col.reasons': '原因',
    'col.batteryOne': '电量',
    'col.rssiOne': '信号',
    'col.interval': '上报间隔',
    'status.online': '在线',
    'status.stale': '迟报',
    'status.faulty': '故障',
    'status.offline': '离线',
    'status.unknown': '未报状态',
    'status.gateway-offline': '网关离线',
    'status.ok': '正常',
    'status.nodata': '无数据',
    'reason.gateway-offline': '网关离线',
    'reason.offline-alarm': '离线报警',
    'reason.silent': '长时间无数据',
    'reason.late': '数据迟到',
    'reason.stuck': '读数长时间不变',
    'reason.panel-trouble': '主机报故障',
    'reason.battery-low': '电量低',
    'reason.weak-signal': '信号弱',
    'ago.now': '刚刚',
    'ago.s': '{n} 秒前',
    'ago.m': '{n} 分钟前',
    'ago.h': '{n} 小时前',
    'ago.d': '{n} 天前',
    'total.schools': '学校',
    'total.problemSchools': '有问题的学校',
    'total.sensors': '传感器',
    'total.gateways': '网关',
    'total.gwOffline': '网关离线',
    'total.seqGaps': '消息缺口',
    'detail.firstSeen': '首次通信',
    'detail.lastSeen': '最后通信',
    'detail.interval': '上报间隔',
    'detail.metrics': '最新读数',
    'detail.gateway': '网关',
    'detail.none': '暂无读数',
    'detail.loading': '正在读取…',
    'metric.temperature': '温度',
    'metric.humidity': '湿度',
    'metric.smoke_obscuration': '烟雾浓度',
    'metric.gas': '可燃气体',
    'metric.battery': '电量',
    'metric.rssi': '信号',
    'metric.voltage': '电压',
    'sort.asc': '升序',
    'sort.desc': '降序'
  });

  Object.assign(I18N.STRINGS.en, {
    'health.title': 'Sensor health · all schools',
    'health.title.short': 'Sensor health',
    'health.district': 'District',
    'health.filter.sites': 'Filter schools by name or id…',
    'health.filter.devices': 'Filter by device or gateway…',
    'health.onlyProblems': 'Only problems',
    'health.shown': 'Showing {n} of {total}',
    'health.gateways': 'Gateways',
    'health.buildings': 'Buildings (click for devices)',
    'health.devices.all': 'All devices',
    'health.devices.building': 'Devices in {building}',
    'health.empty.sites': 'No school matches',
    'health.empty.none': 'No school has reported yet',
    'health.empty.devices': 'No device matches',
    'health.empty.gateways': 'No gateway has reported yet',
    'health.unknownGateways': '{n} no status',
    'health.updated': 'Data as of {time}',
    'health.fetchFailed': 'Could not load data from the server, retrying…',
    'health.forbidden': 'You have no access to {site}',
    'health.live.connected': 'Live',
    'health.live.reconnecting': 'Connecting…',
    'health.live.disconnected': 'Live connection lost, refreshing every 30 s',
    'health.live.polling': 'Refreshing every 30 s',
    'health.legend': 'Stale: nothing for twice its reporting interval; offline: past the offline threshold, an offline alarm or its gateway offline; faulty: stuck value, panel trouble or battery below {battery}%',
    'col.site': 'School',
    'col.state': 'Status',
    'col.sensors': 'Sensors',
    'col.online': 'Online',
    'col.stale': 'Stale',
    'col.faulty': 'Faulty',
    'col.offline': 'Offline',
    'col.gateways': 'Gateways up',
    'col.gwOffline': 'Gateways down',
    'col.seqGaps': 'Seq gaps',
    'col.battery': 'Lowest battery',
    'col.rssi': 'Weakest signal',
    'col.lastSeen': 'Last heard',
    'col.gateway': 'Gateway',
    'col.devices': 'Devices',
    'col.version': 'Version',
    'col.spooled': 'Spooled',
    'col.uptime': 'Uptime',
    'col.duplicates': 'Duplicates',
    'col.building': 'Building',
    'col.device': 'Device',
    'col.reasons': 'Why',
    'col.batteryOne': 'Battery',
    'col.rssiOne': 'Signal',
    'col.interval': 'Interval',
    'status.online': 'Online',
    'status.stale': 'Stale',
    'status.faulty': 'Faulty',
    'status.offline': 'Offline',
    'status.unknown': 'No status',
    'status.gateway-offline': 'Gateway offline',
    'status.ok': 'OK',
    'status.nodata': 'No data',
    'reason.gateway-offline': 'gateway offline',
    'reason.offline-alarm': 'offline alarm',
    'reason.silent': 'silent too long',
    'reason.late': 'late',
    'reason.stuck': 'value stuck',
    'reason.panel-trouble': 'panel trouble',
    'reason.battery-low': 'battery low',
    'reason.weak-signal': 'weak signal',
    'ago.now': 'just now',
    'ago.s': '{n} s ago',
    'ago.m': '{n} min ago',
    'ago.h': '{n} h ago',
    'ago.d': '{n} d ago',
    'total.schools': 'Schools',
    'total.problemSchools': 'With problems',
    'total.sensors': 'Sensors',
    'total.gateways': 'Gateways',
    'total.gwOffline': 'Gateways down',
    'total.seqGaps': 'Seq gaps',
    'detail.firstSeen': 'First heard',
    'detail.lastSeen': 'Last heard',
    'detail.interval': 'Interval',
    'detail.metrics': 'Last values',
    'detail.gateway': 'Gateway',
    'detail.none': 'No readings',
    'detail.loading': 'Loading…',
    'metric.temperature': 'Temperature',
    'metric.humidity': 'Humidity',
    'metric.smoke_obscuration': 'Smoke',
    'metric.gas': 'Gas',
    'metric.battery': 'Battery',
    'metric.rssi': 'Signal',
    'metric.voltage': 'Voltage',
    'sort.asc': 'ascending',
    'sort.desc': 'descending'
  });

  // ---- Backend contract --------------------------------------------------
  var HUB_URL = '/hubs/live';
  var REFRESH_MS = 30000;
  var FETCH_TIMEOUT_MS = 15000;
  var STATUS_RANK = { offline: 3, faulty: 2, stale: 1, online: 0 };

  // ---- State -------------------------------------------------------------
  var state = {
    me: null,
    sites: [],
    serverOffset: 0,           // server clock − browser clock, from the last answer's "now"
    lowBattery: 20,
    weakSignal: -90,
    route: { site: null, building: null, device: null },
    school: null,              // GET /api/health/sensors answer for route.site
    directory: null,           // GET /api/devices answer for route.site (last values per metric)
    siteSort: { key: 'state', dir: -1 },
    buildingSort: { key: 'state', dir: -1 },
    deviceSort: { key: 'state', dir: -1 },
    gatewaySort: { key: 'state', dir: -1 },
    firstRender: true,
    names: {},                 // site -> the school's name (siteName in the API's answers; the hub's messages carry none)
    conn: 'connecting',
    fetchedAt: null
  };

  // ---- Helpers -------------------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function serverNow() { return Date.now() + state.serverOffset; }

  function ago(iso) {
    var ms = parseTime(iso);
    if (ms === null) return '—';
    var s = Math.max(0, Math.floor((serverNow() - ms) / 1000));
    if (s < 5) return t('ago.now');
    if (s < 60) return t('ago.s', { n: s });
    if (s < 3600) return t('ago.m', { n: Math.floor(s / 60) });
    if (s < 86400) return t('ago.h', { n: Math.floor(s / 3600) });
    return t('ago.d', { n: Math.floor(s / 86400) });
  }

  function clock(ms) {
    var d = new Date(ms);
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' +
      pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
  }

  function fmtBattery(v) { return v === null || v === undefined ? '—' : Math.round(v) + ' %'; }
  function fmtRssi(v) { return v === null || v === undefined ? '—' : Math.round(v) + ' dBm'; }
  function fmtNum(v) { return v === null || v === undefined ? '—' : String(v); }

  function fmtSeconds(s) {
    if (s === null || s === undefined) return '—';
    return I18N.formatDuration(s * 1000);
  }

  function hashOf(route) {
    var p = new URLSearchParams();
    if (route.site) p.set('site', route.site);
    if (route.site && route.building) p.set('building', route.building);
    if (route.site && route.device) p.set('device', route.device);
    var s = p.toString();
    return s ? '#' + s : '#';
  }

  function readRoute() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    return { site: p.get('site'), building: p.get('building'), device: p.get('device') };
  }

  function go(route) {
    var next = hashOf(route);
    if (location.hash === next || (next === '#' && location.hash === '')) route_();
    else location.hash = next;
  }

  /** GET with a timeout; resolves to the parsed body, rejects with {status, detail}. 401 goes to the sign-in page. */
  function getJson(url) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, FETCH_TIMEOUT_MS) : null;
    return fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', signal: ctl ? ctl.signal : undefined })
      .then(function (res) {
        clearTimeout(timer);
        if (res.status === 401) { CampusAuth.toLogin(); throw { status: 401 }; }
        if (!res.ok) {
          return res.json().catch(function () { return {}; }).then(function (body) {
            throw { status: res.status, detail: body && body.detail };
          });
        }
        return res.json();
      }, function (err) { clearTimeout(timer); throw { status: 0, detail: String(err) }; });
  }

  function setBanner(text) {
    var b = $('fetch-banner');
    if (text) { b.textContent = text; b.hidden = false; } else { b.hidden = true; b.textContent = ''; }
  }

  function noteServerTime(now) {
    var ms = parseTime(now);
    if (ms !== null) {
      state.serverOffset = ms - Date.now();
      state.fetchedAt = ms;
    }
  }

  // ---- Status of a school / building ---------------------------------------
  /** The worst thing about a school: gateway-offline, offline, faulty, stale, ok, or nodata. */
  function siteState(s) {
    if (s.gateways.offline > 0) return 'gateway-offline';
    if (s.sensors.offline > 0) return 'offline';
    if (s.sensors.faulty > 0) return 'faulty';
    if (s.sensors.stale > 0) return 'stale';
    if (s.sensors.total === 0 && s.gateways.total === 0) return 'nodata';
    return 'ok';
  }

  var STATE_RANK = { 'gateway-offline': 5, offline: 4, faulty: 3, stale: 2, ok: 1, nodata: 0 };

  function problemsOf(s) { return s.sensors.offline + s.sensors.faulty + s.sensors.stale + s.gateways.offline; }

  /** Sort key for the status column: the worst state first, then how many problems. */
  function stateKey(s) { return STATE_RANK[siteState(s)] * 1e7 + problemsOf(s); }

  function chip(status, text, testid) {
    var c = el('span', 'chip chip-' + status, text);
    c.setAttribute('data-status', status);
    if (testid) c.setAttribute('data-testid', testid);
    return c;
  }

  function stateChip(st, testid) {
    return chip(st === 'ok' ? 'online' : st === 'nodata' ? 'unknown' : st, t('status.' + st), testid);
  }

  // ---- Tables ------------------------------------------------------------------
  /** Compare for sorting: nulls last whatever the direction; numbers numerically, text by locale. */
  function compareValues(a, b, dir) {
    var an = a === null || a === undefined;
    var bn = b === null || b === undefined;
    if (an || bn) return an === bn ? 0 : an ? 1 : -1;
    if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
    return String(a).localeCompare(String(b), 'zh-CN', { numeric: true }) * dir;
  }

  function sortRows(rows, columns, sort, tieKey) {
    var col = columns.filter(function (c) { return c.key === sort.key; })[0] || columns[0];
    return rows.slice().sort(function (a, b) {
      return compareValues(col.value(a), col.value(b), sort.dir) || compareValues(tieKey(a), tieKey(b), 1);
    });
  }

  /** The header row: each column a button that sorts (again: the other way). */
  function renderHead(rowId, columns, sort, onSort) {
    var tr = $(rowId);
    tr.textContent = '';
    columns.forEach(function (c) {
      var th = el('th', c.num ? 'num' : '');
      th.setAttribute('scope', 'col');
      // Fixed table layout: widths come from the header, so 500 rows are laid out without measuring every cell.
      if (c.w) th.style.width = c.w + 'rem';
      var active = c.key === sort.key;
      th.setAttribute('aria-sort', active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
      var b = el('button', 'sort' + (active ? ' active' : ''), t(c.label));
      b.type = 'button';
      b.setAttribute('data-testid', 'sort-' + c.key);
      if (active) b.appendChild(el('span', 'arrow', sort.dir > 0 ? ' ▲' : ' ▼'));
      b.addEventListener('click', function () {
        if (sort.key === c.key) sort.dir = -sort.dir;
        else { sort.key = c.key; sort.dir = c.num || c.key === 'state' || c.key === 'lastSeen' ? -1 : 1; }
        onSort();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
  }

  function td(text, className) {
    return el('td', className || '', text);
  }

  function countCell(n, kind) {
    var c = td(n, 'num');
    if (n > 0 && kind) c.classList.add('bad-' + kind);
    return c;
  }

  function batteryCell(v) {
    var c = td(fmtBattery(v), 'num');
    if (v !== null && v !== undefined && v < state.lowBattery) c.classList.add('bad-faulty');
    return c;
  }

  function rssiCell(v) {
    var c = td(fmtRssi(v), 'num');
    if (v !== null && v !== undefined && v < state.weakSignal) c.classList.add('bad-stale');
    return c;
  }

  // ---- School names ---------------------------------------------------------------
  /** The school's name (Campus:Sites) when the server knows one, else its id. */
  function nameOf(site) { return state.names[site] || site; }

  function rememberNames(list) {
    (list || []).forEach(function (s) { if (s && s.site && s.siteName) state.names[s.site] = s.siteName; });
  }

  // ---- District view -----------------------------------------------------------
  var SITE_COLUMNS = [
    { key: 'site', label: 'col.site', w: 14, value: function (s) { return nameOf(s.site); } },
    { key: 'state', label: 'col.state', w: 9, value: stateKey },
    { key: 'sensors', label: 'col.sensors', num: true, value: function (s) { return s.sensors.total; } },
    { key: 'online', label: 'col.online', num: true, value: function (s) { return s.sensors.online; } },
    { key: 'stale', label: 'col.stale', num: true, value: function (s) { return s.sensors.stale; } },
    { key: 'faulty', label: 'col.faulty', num: true, value: function (s) { return s.sensors.faulty; } },
    { key: 'offline', label: 'col.offline', num: true, value: function (s) { return s.sensors.offline; } },
    { key: 'gateways', label: 'col.gateways', num: true, value: function (s) { return s.gateways.online; } },
    { key: 'gwOffline', label: 'col.gwOffline', num: true, value: function (s) { return s.gateways.offline; } },
    { key: 'seqGaps', label: 'col.seqGaps', num: true, value: function (s) { return s.seqGaps; } },
    { key: 'battery', label: 'col.battery', num: true, value: function (s) { return s.lowestBattery; } },
    { key: 'rssi', label: 'col.rssi', num: true, value: function (s) { return s.weakestRssi; } },
    { key: 'lastSeen', label: 'col.lastSeen', num: true, value: function (s) { return parseTime(s.lastSeen); } }
  ];

  function siteMatches(s, text, onlyProblems) {
    if (onlyProblems && problemsOf(s) === 0) return false;
    return !text || s.site.toLowerCase().indexOf(text) >= 0 || nameOf(s.site).toLowerCase().indexOf(text) >= 0;
  }

  function renderDistrict() {
    var started = performance.now();
    renderHead('site-head', SITE_COLUMNS, state.siteSort, renderDistrict);
    var text = $('site-filter').value.trim().toLowerCase();
    var onlyProblems = $('site-problems').checked;
    var shown = sortRows(state.sites.filter(function (s) { return siteMatches(s, text, onlyProblems); }),
      SITE_COLUMNS, state.siteSort, function (s) { return s.site; });

    var frag = document.createDocumentFragment();
    for (var i = 0; i < shown.length; i++) frag.appendChild(siteRow(shown[i]));
    var body = $('site-rows');
    body.textContent = '';
    body.appendChild(frag);

    $('site-shown').textContent = t('health.shown', { n: shown.length, total: state.sites.length });
    var empty = $('site-empty');
    empty.hidden = shown.length > 0;
    empty.textContent = state.sites.length === 0 ? t('health.empty.none') : t('health.empty.sites');
    renderDistrictTotals();

    var table = $('site-table');
    table.setAttribute('data-rows', String(shown.length));
    if (state.firstRender) {
      state.firstRender = false;
      table.setAttribute('data-build-ms', (performance.now() - started).toFixed(1));
      // Two frames: the first runs before layout, the second after the rows were laid out and painted.
      requestAnimationFrame(function () {
        // The frame's layout, timed on its own (it would run right after this callback anyway).
        var layoutStart = performance.now();
        void table.offsetHeight;
        table.setAttribute('data-layout-ms', (performance.now() - layoutStart).toFixed(1));
        requestAnimationFrame(function () {
          table.setAttribute('data-render-ms', performance.now().toFixed(1));
        });
      });
    }
  }

  function siteRow(s) {
    var tr = el('tr', 'clickable');
    tr.setAttribute('role', 'row');
    tr.setAttribute('data-testid', 'site-row');
    tr.setAttribute('data-site', s.site);
    tr.setAttribute('data-state', siteState(s));
    tr.tabIndex = 0;

    var name = el('td', 'name');
    var link = el('a', '', nameOf(s.site));
    link.href = hashOf({ site: s.site });
    name.appendChild(link);
    link.title = nameOf(s.site) === s.site ? s.site : nameOf(s.site) + ' (' + s.site + ')';
    tr.appendChild(name);

    var st = el('td', 'state');
    st.appendChild(stateChip(siteState(s), 'site-status'));
    tr.appendChild(st);

    tr.appendChild(countCell(s.sensors.total));
    tr.appendChild(countCell(s.sensors.online));
    tr.appendChild(countCell(s.sensors.stale, 'stale'));
    tr.appendChild(countCell(s.sensors.faulty, 'faulty'));
    tr.appendChild(countCell(s.sensors.offline, 'offline'));
    var gws = td(s.gateways.online + ' / ' + s.gateways.total, 'num');
    if (s.gateways.unknown > 0) {
      var unknown = el('span', 'unknown-note', ' · ' + t('health.unknownGateways', { n: s.gateways.unknown }));
      unknown.title = t('status.unknown');
      gws.appendChild(unknown);
    }
    tr.appendChild(gws);
    var gw = countCell(s.gateways.offline, 'offline');
    gw.setAttribute('data-testid', 'site-gateways-offline');
    tr.appendChild(gw);
    tr.appendChild(countCell(s.seqGaps, 'stale'));
    tr.appendChild(batteryCell(s.lowestBattery));
    tr.appendChild(rssiCell(s.weakestRssi));
    tr.appendChild(td(ago(s.lastSeen), 'num ago'));
    return tr;
  }

  function totalCard(label, value, kind, testid) {
    var card = el('div', 'total' + (kind && value > 0 ? ' bad-' + kind : ''));
    card.appendChild(el('span', 'total-value', value));
    card.appendChild(el('span', 'total-label', label));
    if (testid) card.setAttribute('data-testid', testid);
    return card;
  }

  function renderDistrictTotals() {
    var sum = { sensors: 0, online: 0, stale: 0, faulty: 0, offline: 0, gateways: 0, gwOffline: 0, gaps: 0, problems: 0 };
    state.sites.forEach(function (s) {
      sum.sensors += s.sensors.total; sum.online += s.sensors.online; sum.stale += s.sensors.stale;
      sum.faulty += s.sensors.faulty; sum.offline += s.sensors.offline; sum.gateways += s.gateways.total;
      sum.gwOffline += s.gateways.offline; sum.gaps += s.seqGaps; if (problemsOf(s) > 0) sum.problems++;
    });
    var box = $('district-totals');
    box.textContent = '';
    box.appendChild(totalCard(t('total.schools'), state.sites.length, null, 'total-schools'));
    box.appendChild(totalCard(t('total.problemSchools'), sum.problems, 'stale', 'total-problem-schools'));
    box.appendChild(totalCard(t('total.sensors'), sum.sensors, null, 'total-sensors'));
    box.appendChild(totalCard(t('status.online'), sum.online, null, 'total-online'));
    box.appendChild(totalCard(t('status.stale'), sum.stale, 'stale', 'total-stale'));
    box.appendChild(totalCard(t('status.faulty'), sum.faulty, 'faulty', 'total-faulty'));
    box.appendChild(totalCard(t('status.offline'), sum.offline, 'offline', 'total-offline'));
    box.appendChild(totalCard(t('total.gateways'), sum.gateways, null, 'total-gateways'));
    box.appendChild(totalCard(t('total.gwOffline'), sum.gwOffline, 'offline', 'total-gateways-offline'));
    box.appendChild(totalCard(t('total.seqGaps'), sum.gaps, 'stale', 'total-seq-gaps'));
  }

  function loadSites() {
    var started = performance.now();
    return getJson('/api/sites').then(function (body) {
      var fetchMs = performance.now() - started;
      noteServerTime(body.now);
      if (typeof body.lowBatteryPercent === 'number') state.lowBattery = body.lowBatteryPercent;
      if (typeof body.weakSignalDbm === 'number') state.weakSignal = body.weakSignalDbm;
      state.sites = body.sites || [];
      rememberNames(state.sites);
      setBanner(null);
      if (state.firstRender) $('site-table').setAttribute('data-fetch-ms', fetchMs.toFixed(1));
      if (!state.route.site) renderDistrict();
      renderFooter();
    }).catch(function (err) {
      if (err && err.status !== 401) setBanner(t('health.fetchFailed'));
    });
  }

  // ---- School view ---------------------------------------------------------------
  /** Buildings of the open school, each with counts over its devices. */
  function buildingsOf(devices) {
    var map = new Map();
    devices.forEach(function (d) {
      var b = map.get(d.building);
      if (!b) {
        b = { building: d.building, total: 0, online: 0, stale: 0, faulty: 0, offline: 0, battery: null, rssi: null, lastSeen: null };
        map.set(d.building, b);
      }
      b.total++;
      b[d.status]++;
      if (d.battery !== null && d.battery !== undefined && (b.battery === null || d.battery < b.battery)) b.battery = d.battery;
      if (d.rssi !== null && d.rssi !== undefined && (b.rssi === null || d.rssi < b.rssi)) b.rssi = d.rssi;
      var seen = parseTime(d.lastSeen);
      if (seen !== null && (b.lastSeen === null || seen > b.lastSeen)) b.lastSeen = seen;
    });
    return Array.from(map.values());
  }

  function buildingState(b) {
    return b.offline > 0 ? 'offline' : b.faulty > 0 ? 'faulty' : b.stale > 0 ? 'stale' : 'ok';
  }

  var BUILDING_COLUMNS = [
    { key: 'building', label: 'col.building', value: function (b) { return b.building; } },
    { key: 'state', label: 'col.state', value: function (b) { return STATE_RANK[buildingState(b)] * 1e7 + b.offline + b.faulty + b.stale; } },
    { key: 'sensors', label: 'col.sensors', num: true, value: function (b) { return b.total; } },
    { key: 'online', label: 'col.online', num: true, value: function (b) { return b.online; } },
    { key: 'stale', label: 'col.stale', num: true, value: function (b) { return b.stale; } },
    { key: 'faulty', label: 'col.faulty', num: true, value: function (b) { return b.faulty; } },
    { key: 'offline', label: 'col.offline', num: true, value: function (b) { return b.offline; } },
    { key: 'battery', label: 'col.battery', num: true, value: function (b) { return b.battery; } },
    { key: 'rssi', label: 'col.rssi', num: true, value: function (b) { return b.rssi; } },
    { key: 'lastSeen', label: 'col.lastSeen', num: true, value: function (b) { return b.lastSeen; } }
  ];

  var GATEWAY_COLUMNS = [
    { key: 'gateway', label: 'col.gateway', value: function (g) { return g.gateway; } },
    { key: 'state', label: 'col.state', value: function (g) { return g.status === 'offline' ? 2 : g.status === 'unknown' ? 1 : 0; } },
    { key: 'devices', label: 'col.devices', num: true, value: function (g) { return g.devices; } },
    { key: 'version', label: 'col.version', value: function (g) { return g.version; } },
    { key: 'spooled', label: 'col.spooled', num: true, value: function (g) { return g.spooled; } },
    { key: 'uptime', label: 'col.uptime', num: true, value: function (g) { return g.uptimeSeconds; } },
    { key: 'seqGaps', label: 'col.seqGaps', num: true, value: function (g) { return g.seqGaps; } },
    { key: 'duplicates', label: 'col.duplicates', num: true, value: function (g) { return g.seqDuplicates; } },
    { key: 'lastSeen', label: 'col.lastSeen', num: true, value: function (g) { return parseTime(g.lastSeen); } }
  ];

  var DEVICE_COLUMNS = [
    { key: 'device', label: 'col.device', value: function (d) { return d.device; } },
    { key: 'building', label: 'col.building', value: function (d) { return d.building; } },
    { key: 'state', label: 'col.state', value: function (d) { return STATUS_RANK[d.status]; } },
    { key: 'reasons', label: 'col.reasons', value: function (d) { return d.reasons.length ? d.reasons.join(',') : null; } },
    { key: 'battery', label: 'col.batteryOne', num: true, value: function (d) { return d.battery; } },
    { key: 'rssi', label: 'col.rssiOne', num: true, value: function (d) { return d.rssi; } },
    { key: 'lastSeen', label: 'col.lastSeen', num: true, value: function (d) { return parseTime(d.lastSeen); } },
    { key: 'interval', label: 'col.interval', num: true, value: function (d) { return d.intervalSeconds; } },
    { key: 'gateway', label: 'col.gateway', value: function (d) { return d.gateway; } },
    { key: 'seqGaps', label: 'col.seqGaps', num: true, value: function (d) { return d.seqGaps; } }
  ];

  function renderSchool() {
    var school = state.school;
    if (!school) return;
    renderSchoolTotals(school.summary);

    // Gateways.
    renderHead('gateway-head', GATEWAY_COLUMNS, state.gatewaySort, renderSchool);
    var gBody = $('gateway-rows');
    gBody.textContent = '';
    sortRows(school.gateways, GATEWAY_COLUMNS, state.gatewaySort, function (g) { return g.gateway; }).forEach(function (g) {
      var tr = el('tr');
      tr.setAttribute('data-testid', 'gateway-row');
      tr.setAttribute('data-gateway', g.gateway);
      tr.setAttribute('data-status', g.status);
      tr.appendChild(td(g.gateway, 'name'));
      var st = el('td', 'state');
      st.appendChild(chip(g.status, t('status.' + g.status), 'gateway-status'));
      tr.appendChild(st);
      tr.appendChild(countCell(g.devices));
      tr.appendChild(td(g.version || '—'));
      tr.appendChild(countCell(g.spooled === null || g.spooled === undefined ? '—' : g.spooled, 'stale'));
      tr.appendChild(td(fmtSeconds(g.uptimeSeconds), 'num'));
      tr.appendChild(countCell(g.seqGaps, 'stale'));
      tr.appendChild(countCell(g.seqDuplicates));
      tr.appendChild(td(ago(g.lastSeen), 'num ago'));
      gBody.appendChild(tr);
    });
    if (school.gateways.length === 0) {
      var none = el('tr');
      var cell = td(t('health.empty.gateways'), 'empty-cell');
      cell.colSpan = GATEWAY_COLUMNS.length;
      none.appendChild(cell);
      gBody.appendChild(none);
    }

    // Buildings.
    renderHead('building-head', BUILDING_COLUMNS, state.buildingSort, renderSchool);
    var bBody = $('building-rows');
    bBody.textContent = '';
    sortRows(buildingsOf(school.devices), BUILDING_COLUMNS, state.buildingSort, function (b) { return b.building; }).forEach(function (b) {
      var tr = el('tr', 'clickable' + (b.building === state.route.building ? ' selected' : ''));
      tr.setAttribute('data-testid', 'building-row');
      tr.setAttribute('data-building', b.building);
      tr.tabIndex = 0;
      var name = el('td', 'name');
      var link = el('a', '', b.building);
      link.href = hashOf({ site: state.route.site, building: b.building });
      name.appendChild(link);
      tr.appendChild(name);
      var st = el('td', 'state');
      st.appendChild(stateChip(buildingState(b), 'building-status'));
      tr.appendChild(st);
      tr.appendChild(countCell(b.total));
      tr.appendChild(countCell(b.online));
      tr.appendChild(countCell(b.stale, 'stale'));
      tr.appendChild(countCell(b.faulty, 'faulty'));
      tr.appendChild(countCell(b.offline, 'offline'));
      tr.appendChild(batteryCell(b.battery));
      tr.appendChild(rssiCell(b.rssi));
      tr.appendChild(td(b.lastSeen === null ? '—' : ago(new Date(b.lastSeen).toISOString()), 'num ago'));
      bBody.appendChild(tr);
    });

    renderDevices();
  }

  function renderSchoolTotals(s) {
    var box = $('school-totals');
    box.textContent = '';
    var head = el('div', 'school-head');
    head.appendChild(el('span', 'school-name', nameOf(s.site)));
    head.appendChild(stateChip(siteState(s), 'school-status'));
    box.appendChild(head);
    box.appendChild(totalCard(t('total.sensors'), s.sensors.total, null, 'school-sensors'));
    box.appendChild(totalCard(t('status.online'), s.sensors.online, null, 'school-online'));
    box.appendChild(totalCard(t('status.stale'), s.sensors.stale, 'stale', 'school-stale'));
    box.appendChild(totalCard(t('status.faulty'), s.sensors.faulty, 'faulty', 'school-faulty'));
    box.appendChild(totalCard(t('status.offline'), s.sensors.offline, 'offline', 'school-offline'));
    box.appendChild(totalCard(t('total.gateways'), s.gateways.total, null, 'school-gateways'));
    box.appendChild(totalCard(t('total.gwOffline'), s.gateways.offline, 'offline', 'school-gateways-offline'));
    box.appendChild(totalCard(t('total.seqGaps'), s.seqGaps, 'stale', 'school-seq-gaps'));
  }

  function renderDevices() {
    var school = state.school;
    var building = state.route.building;
    $('device-title').textContent = building ? t('health.devices.building', { building: building }) : t('health.devices.all');
    renderHead('device-head', DEVICE_COLUMNS, state.deviceSort, renderDevices);
    var text = $('device-filter').value.trim().toLowerCase();
    var onlyProblems = $('device-problems').checked;
    var inBuilding = school.devices.filter(function (d) { return !building || d.building === building; });
    var shown = sortRows(inBuilding.filter(function (d) {
      if (onlyProblems && d.status === 'online') return false;
      return !text || d.device.toLowerCase().indexOf(text) >= 0 || d.gateway.toLowerCase().indexOf(text) >= 0;
    }), DEVICE_COLUMNS, state.deviceSort, function (d) { return d.device; });

    var body = $('device-rows');
    body.textContent = '';
    var frag = document.createDocumentFragment();
    shown.forEach(function (d) {
      frag.appendChild(deviceRow(d));
      if (d.device === state.route.device) frag.appendChild(deviceDetail(d));
    });
    if (shown.length === 0) {
      var none = el('tr');
      var cell = td(t('health.empty.devices'), 'empty-cell');
      cell.colSpan = DEVICE_COLUMNS.length;
      none.appendChild(cell);
      frag.appendChild(none);
    }
    body.appendChild(frag);
    $('device-shown').textContent = t('health.shown', { n: shown.length, total: inBuilding.length });
  }

  function deviceRow(d) {
    var tr = el('tr', 'clickable' + (d.device === state.route.device ? ' selected' : ''));
    tr.setAttribute('data-testid', 'device-row');
    tr.setAttribute('data-device', d.device);
    tr.setAttribute('data-status', d.status);
    tr.tabIndex = 0;
    var name = el('td', 'name');
    var link = el('a', '', d.device);
    link.href = hashOf({ site: state.route.site, building: state.route.building, device: d.device === state.route.device ? null : d.device });
    name.appendChild(link);
    tr.appendChild(name);
    tr.appendChild(td(d.building));
    var st = el('td', 'state');
    st.appendChild(chip(d.status, t('status.' + d.status), 'device-status'));
    tr.appendChild(st);
    tr.appendChild(td(d.reasons.map(function (r) { return t('reason.' + r); }).join('、') || '—', 'reasons'));
    tr.appendChild(batteryCell(d.battery));
    tr.appendChild(rssiCell(d.rssi));
    tr.appendChild(td(ago(d.lastSeen), 'num ago'));
    tr.appendChild(td(fmtSeconds(d.intervalSeconds), 'num'));
    var gw = td(d.gateway);
    if (d.gatewayStatus === 'offline') {
      gw.appendChild(document.createTextNode(' '));
      gw.appendChild(chip('offline', t('status.gateway-offline')));
    }
    tr.appendChild(gw);
    tr.appendChild(countCell(d.seqGaps, 'stale'));
    return tr;
  }

  /** The row under an open device: first / last heard, interval, and its last value per metric (GET /api/devices). */
  function deviceDetail(d) {
    var tr = el('tr', 'detail-row');
    tr.setAttribute('data-testid', 'device-detail');
    var cell = el('td');
    cell.colSpan = DEVICE_COLUMNS.length;
    var facts = el('dl', 'facts');
    function fact(label, value) {
      facts.appendChild(el('dt', '', label));
      facts.appendChild(el('dd', '', value));
    }
    fact(t('detail.firstSeen'), clock(parseTime(d.firstSeen)));
    fact(t('detail.lastSeen'), clock(parseTime(d.lastSeen)) + '（' + ago(d.lastSeen) + '）');
    fact(t('detail.interval'), fmtSeconds(d.intervalSeconds));
    fact(t('detail.gateway'), d.gateway + ' · ' + t('status.' + d.gatewayStatus));
    cell.appendChild(facts);

    var metrics = el('div', 'metrics');
    metrics.setAttribute('data-testid', 'device-metrics');
    metrics.appendChild(el('h3', '', t('detail.metrics')));
    var entry = state.directory && state.directory.devices.filter(function (x) { return x.device === d.device; })[0];
    if (!state.directory) {
      metrics.appendChild(el('p', 'muted', t('detail.loading')));
    } else if (!entry || Object.keys(entry.metrics).length === 0) {
      metrics.appendChild(el('p', 'muted', t('detail.none')));
    } else {
      var list = el('ul', 'metric-list');
      Object.keys(entry.metrics).forEach(function (name) {
        var m = entry.metrics[name];
        var li = el('li');
        li.setAttribute('data-metric', name);
        li.appendChild(el('span', 'metric-name', I18N.has('metric.' + name) ? t('metric.' + name) : name));
        li.appendChild(el('span', 'metric-value', (Math.round(m.value * 100) / 100) + (m.unit ? ' ' + m.unit : '')));
        li.appendChild(el('span', 'metric-ts', ago(m.ts)));
        list.appendChild(li);
      });
      metrics.appendChild(list);
    }
    cell.appendChild(metrics);
    tr.appendChild(cell);
    return tr;
  }

  function loadSchool(site) {
    return getJson('/api/health/sensors?site=' + encodeURIComponent(site)).then(function (body) {
      if (state.route.site !== site) return;
      noteServerTime(body.now);
      state.school = body;
      rememberNames([body.summary]);
      setBanner(null);
      renderTitle();
      renderCrumbs();
      renderSchool();
      renderFooter();
      if (state.route.device) loadDirectory(site);
    }).catch(function (err) {
      if (!err || err.status === 401) return;
      setBanner(err.status === 403 ? t('health.forbidden', { site: site }) : t('health.fetchFailed'));
    });
  }

  function loadDirectory(site) {
    return getJson('/api/devices?site=' + encodeURIComponent(site)).then(function (body) {
      if (state.route.site !== site) return;
      state.directory = body;
      if (state.school) renderDevices();
    }).catch(function () { /* the detail row says "loading"; the next refresh tries again */ });
  }

  // ---- Navigation -------------------------------------------------------------------
  function renderCrumbs() {
    var nav = $('crumbs');
    nav.textContent = '';
    var r = state.route;
    function crumb(text, route, testid, current) {
      if (current) {
        var span = el('span', 'crumb current', text);
        span.setAttribute('aria-current', 'page');
        span.setAttribute('data-testid', testid);
        nav.appendChild(span);
      } else {
        var a = el('a', 'crumb', text);
        a.href = hashOf(route);
        a.setAttribute('data-testid', testid);
        nav.appendChild(a);
      }
    }
    function sep() { nav.appendChild(el('span', 'crumb-sep', '›')); }
    crumb(t('health.district'), {}, 'crumb-district', !r.site);
    if (r.site) { sep(); crumb(nameOf(r.site), { site: r.site }, 'crumb-site', !r.building); }
    if (r.site && r.building) { sep(); crumb(r.building, r, 'crumb-building', true); }
  }

  function route_() {
    var next = readRoute();
    var siteChanged = next.site !== state.route.site;
    state.route = next;
    renderCrumbs();
    renderTitle();
    showView();
    if (!next.site) {
      state.school = null;
      state.directory = null;
      renderDistrict();
      return;
    }
    if (siteChanged) {
      state.school = null;
      state.directory = null;
      $('device-filter').value = '';
      ['gateway-rows', 'building-rows', 'device-rows', 'school-totals'].forEach(function (id) { $(id).textContent = ''; });
      loadSchool(next.site);
    } else if (state.school) {
      renderSchool();
      if (next.device && !state.directory) loadDirectory(next.site);
    }
  }

  function showView() {
    var site = !!state.route.site;
    $('district-view').hidden = site;
    $('school-view').hidden = !site;
    document.body.classList.toggle('district-mode', !site);
  }

  function renderTitle() {
    var site = state.route.site;
    document.title = (site ? nameOf(site) + ' · ' : '') + t('health.title.short');
    $('page-title').textContent = site ? t('health.title.short') + ' · ' + nameOf(site) : t('health.title');
  }

  function refresh() {
    if (state.route.site) {
      loadSchool(state.route.site);
      if (state.route.device) loadDirectory(state.route.site);
    }
    return loadSites();
  }

  function renderFooter() {
    $('updated').textContent = state.fetchedAt === null ? '' : t('health.updated', { time: clock(state.fetchedAt) });
    $('legend').textContent = t('health.legend', { battery: state.lowBattery });
  }

  function applyStatic() {
    document.documentElement.lang = I18N.getLang();
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (node) { node.placeholder = t(node.getAttribute('data-i18n-placeholder')); });
    var toggle = $('lang-toggle');
    toggle.textContent = t('lang.toggle');
    toggle.setAttribute('aria-label', t('lang.toggle.aria'));
    $('crumbs').setAttribute('aria-label', t('health.district'));
  }

  function renderAll() {
    applyStatic();
    renderConnection();
    renderCrumbs();
    renderTitle();
    renderFooter();
    CampusAuth.renderUser($('user-box'), state.me);
    if (state.route.site) renderSchool(); else renderDistrict();
  }

  // ---- Live -------------------------------------------------------------------------------
  function renderConnection() {
    var box = $('connection-status');
    var conn = state.conn;
    box.setAttribute('data-state', conn === 'connected' ? 'connected' : conn === 'polling' || conn === 'disconnected' ? 'disconnected' : 'reconnecting');
    box.setAttribute('data-live', conn);
    box.textContent = t('health.live.' + conn);
  }

  function setConn(conn) { state.conn = conn; renderConnection(); }

  var pendingDistrict = null;
  var pendingSchool = null;

  function onHealthChanged(msg) {
    if (!msg || !msg.summary) return;
    noteServerTime(msg.at);
    var found = false;
    for (var i = 0; i < state.sites.length; i++) {
      if (state.sites[i].site === msg.site) { state.sites[i] = msg.summary; found = true; break; }
    }
    if (!found && canSee(msg.site)) state.sites.push(msg.summary);
    if (!state.route.site && !pendingDistrict) {
      pendingDistrict = setTimeout(function () { pendingDistrict = null; if (!state.route.site) renderDistrict(); }, 300);
    }
    if (state.route.site === msg.site && !pendingSchool) {
      pendingSchool = setTimeout(function () { pendingSchool = null; if (state.route.site === msg.site) loadSchool(msg.site); }, 500);
    }
  }

  function seesAll() { return state.me && (state.me.role === 'district_admin' || (state.me.sites || []).indexOf('*') >= 0); }
  function canSee(site) { return seesAll() || (state.me && (state.me.sites || []).indexOf(site) >= 0); }

  function startHub() {
    // Lab and canteen managers see rooms, not whole schools: no live group for them, they poll.
    if (!state.me || state.me.role === 'lab_manager' || state.me.role === 'canteen_manager') { setConn('polling'); return; }
    if (!window.signalR || !window.signalR.HubConnectionBuilder) { setConn('disconnected'); return; }
    var groups = seesAll() ? ['*'] : (state.me.sites || []);
    var hub = new window.signalR.HubConnectionBuilder()
      .withUrl(HUB_URL)
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: function (ctx) { return [0, 2000, 5000, 10000][ctx.previousRetryCount] || 10000; } })
      .configureLogging(window.signalR.LogLevel.Warning)
      .build();
    hub.on('deviceHealthChanged', onHealthChanged);
    // The school groups also carry the live readings (for the board and the room page): not this page's business.
    hub.on('readings', function () { });
    hub.on('alarmChanged', function () { });
    hub.on('notification', function () { });
    // After a reconnect, re-read: changes pushed while away were missed.
    function join(again) {
      return Promise.all(groups.map(function (g) { return hub.invoke('JoinSite', g); }))
        .then(function () { setConn('connected'); if (again) refresh(); });
    }
    hub.onreconnecting(function () { setConn('reconnecting'); });
    hub.onreconnected(function () { join(true).catch(function () { setConn('disconnected'); }); });
    hub.onclose(function () { setConn('disconnected'); setTimeout(start, 10000); });
    var started = false;
    function start() {
      setConn('reconnecting');
      var again = started;
      started = true;
      hub.start().then(function () { return join(again); }).catch(function (err) {
        console.warn('[health] live connection failed', err);
        setConn('disconnected');
        setTimeout(start, 10000);
      });
    }
    start();
  }

  // ---- Start-up ---------------------------------------------------------------------------
  function init() {
    state.route = readRoute();
    applyStatic();
    renderTitle();
    renderConnection();
    renderCrumbs();
    showView();

    $('lang-toggle').addEventListener('click', function () { I18N.toggleLang(); renderAll(); });
    $('site-filter').addEventListener('input', renderDistrict);
    $('site-problems').addEventListener('change', renderDistrict);
    $('device-filter').addEventListener('input', function () { if (state.school) renderDevices(); });
    $('device-problems').addEventListener('change', function () { if (state.school) renderDevices(); });
    window.addEventListener('hashchange', route_);

    // A click (or Enter) anywhere on a row opens it, like its link.
    function rowOpen(e) {
      if (e.type === 'keydown' && e.key !== 'Enter') return;
      var tr = e.target.closest('tr.clickable');
      if (!tr || e.target.closest('a')) return;
      var r = state.route;
      if (tr.hasAttribute('data-site')) go({ site: tr.getAttribute('data-site') });
      else if (tr.hasAttribute('data-building')) go({ site: r.site, building: tr.getAttribute('data-building') });
      else if (tr.hasAttribute('data-device')) {
        var device = tr.getAttribute('data-device');
        go({ site: r.site, building: r.building, device: r.device === device ? null : device });
      }
    }
    ['site-rows', 'building-rows', 'device-rows'].forEach(function (id) {
      $(id).addEventListener('click', rowOpen);
      $(id).addEventListener('keydown', rowOpen);
    });

    // Who is signed in and the school list at once: the list is what the page is for.
    Promise.all([
      CampusAuth.me().then(function (me) { state.me = me; CampusAuth.renderUser($('user-box'), me); }),
      loadSites()
    ]).finally(function () {
      if (state.route.site) loadSchool(state.route.site);
      startHub();
      setInterval(refresh, REFRESH_MS);
      // Relative times ("3 分钟前") move on between reads.
      setInterval(function () { if (state.route.site) { if (state.school) renderSchool(); } else renderDistrict(); }, 15000);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
