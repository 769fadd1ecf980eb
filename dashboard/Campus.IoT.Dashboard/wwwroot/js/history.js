/*
 * Campus.IoT alarm history and response times (history.html).
 * Plain script (no framework, no build step, no external URLs). Needs js/i18n.js (window.CampusI18n) and js/auth.js
 * (window.CampusAuth). Reads GET /api/alarms/response-times, GET /api/alarms/history, and for one alarm
 * GET /api/alarms/{id}/audit and /deliveries. Times arrive in UTC (RFC 3339) and are shown in the browser's local time.
 *
 * All data from the server is put into the DOM with textContent / attributes only.
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;
  var pad2 = window.CampusCommon.pad2;
  var parseTime = window.CampusCommon.parseTime;
  var localDate = window.CampusCommon.localDate;
  var localClock = window.CampusCommon.localClock;

  var I18N = window.CampusI18n;
  var t = I18N.t;

  // This page's strings, added to the shared table (the language choice is shared with the board).
  var TEXT = {
    'zh-CN': {
      'history.title': '报警历史与响应时间',
      'filter.period': '时间范围',
      'filter.site': '学校',
      'filter.allSites': '全部学校',
      'filter.severity': '级别',
      'filter.allSeverities': '全部级别',
      'period.today': '今天',
      'period.7d': '近7天',
      'period.30d': '近30天',
      'period.text': '{from} 至 {to}',
      'period.loading': '正在加载…',

      'rt.heading': '响应时间（按学校和级别）',
      'rt.note': '确认用时 = 确认时间 − 报警时间；恢复用时 = 恢复时间 − 报警时间。火警超过 {s} 秒未确认会升级通知（安全员、校长）。维护期间被抑制、从未上屏的报警不计入。',
      'rt.site': '学校',
      'rt.severity': '级别',
      'rt.count': '报警数',
      'rt.acknowledged': '已确认',
      'rt.ackGroup': '确认用时',
      'rt.clearGroup': '恢复用时',
      'rt.median': '中位数',
      'rt.p90': '90%',
      'rt.max': '最长',
      'rt.late': '超过{s}秒未确认',
      'rt.empty': '所选时间内没有需要处理的报警',

      'list.heading': '报警记录',
      'list.count': '共 {n} 条',
      'list.note': '点击一条报警，查看它的处理记录和通知记录。',
      'list.raisedAt': '报警时间',
      'list.site': '学校',
      'list.what': '报警 / 位置',
      'list.severityState': '级别 / 状态',
      'list.ackTime': '确认用时',
      'list.ackedBy': '确认人',
      'list.clearTime': '恢复用时',
      'list.details': '详情',
      'list.open': '详情 ›',
      'list.open.aria': '查看处理记录：{what}',
      'list.notAcked': '未确认',
      'list.notCleared': '未恢复',
      'list.empty': '所选时间内没有报警',
      'list.more': '只显示最新的 {n} 条；请缩短时间范围或选择学校查看更早的报警。',

      'audit.heading': '处理记录',
      'audit.close': '关闭',
      'audit.at': '时间',
      'audit.transition': '事件',
      'audit.state': '状态',
      'audit.by': '操作人',
      'audit.note': '备注',
      'audit.escalated': '第 {n} 级：{who}',
      'audit.escalatedRepeat': '第 {n} 级（第 {r} 次重复）：{who}',
      'audit.recipientSep': '、',
      'audit.loading': '正在加载…',
      'audit.failed': '无法读取这条报警的记录（{status}）',
      'audit.system': '系统',
      'audit.ackTime': '确认用时',
      'audit.clearTime': '恢复用时',
      'audit.escalation': '升级',

      'transition.raised': '报警',
      'transition.updated': '再次触发 / 更新',
      'transition.escalated': '升级通知',
      'transition.acknowledged': '确认',
      'transition.cleared': '恢复',
      'transition.suppressed': '维护期间抑制',
      'transition.shelved': '搁置',
      'transition.unshelved': '搁置到期',
      'transition.resumed': '维护结束，重新报警',

      'deliveries.heading': '通知记录',
      'deliveries.level': '升级级别',
      'deliveries.recipient': '通知对象',
      'deliveries.channel': '方式',
      'deliveries.attempt': '次数',
      'deliveries.outcome': '结果',
      'deliveries.empty': '没有通知记录',
      'deliveries.levelN': '第 {n} 级',
      'deliveries.level0': '报警时',
      'recipient.guard-room': '值班室',
      'recipient.safety-officer': '安全员',
      'recipient.principal': '校长',
      'recipient.district-duty-office': '区值班室',
      'channel.dashboard': '监控台',
      'channel.webhook': 'Webhook',
      'channel.email': '邮件',
      'outcome.sent': '已发送',
      'outcome.failed': '失败，将重试',
      'outcome.gave_up': '发送失败',
      'outcome.unrouted': '未配置通知方式',

      'error.http': '无法读取报警历史（{status}）{detail}',
      'error.network': '无法连接服务器，请稍后刷新页面'
    },
    en: {
      'history.title': 'Alarm history & response times',
      'filter.period': 'Period',
      'filter.site': 'School',
      'filter.allSites': 'All schools',
      'filter.severity': 'Severity',
      'filter.allSeverities': 'All severities',
      'period.today': 'Today',
      'period.7d': 'Last 7 days',
      'period.30d': 'Last 30 days',
      'period.text': '{from} to {to}',
      'period.loading': 'Loading…',

      'rt.heading': 'Response times by school and severity',
      'rt.note': 'Time to acknowledge = acknowledged − raised; time to clear = cleared − raised. A fire alarm not acknowledged within {s} s is escalated (safety officer, principal). Alarms suppressed by maintenance and never shown are not counted.',
      'rt.site': 'School',
      'rt.severity': 'Severity',
      'rt.count': 'Alarms',
      'rt.acknowledged': 'Acknowledged',
      'rt.ackGroup': 'Time to acknowledge',
      'rt.clearGroup': 'Time to clear',
      'rt.median': 'Median',
      'rt.p90': '90%',
      'rt.max': 'Longest',
      'rt.late': 'Not acknowledged within {s} s',
      'rt.empty': 'No alarms needed a response in this period',

      'list.heading': 'Alarms',
      'list.count': '{n} in all',
      'list.note': 'Click an alarm to see its audit trail and notifications.',
      'list.raisedAt': 'Raised',
      'list.site': 'School',
      'list.what': 'Alarm / place',
      'list.severityState': 'Severity / state',
      'list.ackTime': 'Time to acknowledge',
      'list.ackedBy': 'Acknowledged by',
      'list.clearTime': 'Time to clear',
      'list.details': 'Details',
      'list.open': 'Details ›',
      'list.open.aria': 'Audit trail of: {what}',
      'list.notAcked': 'Not acknowledged',
      'list.notCleared': 'Not cleared',
      'list.empty': 'No alarms in this period',
      'list.more': 'Only the newest {n} are shown: pick a shorter period or one school to see older alarms.',

      'audit.heading': 'Audit trail',
      'audit.close': 'Close',
      'audit.at': 'Time',
      'audit.transition': 'Event',
      'audit.state': 'State',
      'audit.by': 'By',
      'audit.note': 'Note',
      'audit.escalated': 'Level {n}: {who}',
      'audit.escalatedRepeat': 'Level {n} (repeat {r}): {who}',
      'audit.recipientSep': ', ',
      'audit.loading': 'Loading…',
      'audit.failed': 'Could not read this alarm\'s records ({status})',
      'audit.system': 'system',
      'audit.ackTime': 'Time to acknowledge',
      'audit.clearTime': 'Time to clear',
      'audit.escalation': 'Escalation',

      'transition.raised': 'Raised',
      'transition.updated': 'Repeated / updated',
      'transition.escalated': 'Escalated',
      'transition.acknowledged': 'Acknowledged',
      'transition.cleared': 'Cleared',
      'transition.suppressed': 'Suppressed (maintenance)',
      'transition.shelved': 'Shelved',
      'transition.unshelved': 'Shelf expired',
      'transition.resumed': 'Maintenance ended, alarm back',

      'deliveries.heading': 'Notifications',
      'deliveries.level': 'Level',
      'deliveries.recipient': 'Recipient',
      'deliveries.channel': 'Channel',
      'deliveries.attempt': 'Attempt',
      'deliveries.outcome': 'Outcome',
      'deliveries.empty': 'No notifications',
      'deliveries.levelN': 'Level {n}',
      'deliveries.level0': 'At the raise',
      'recipient.guard-room': 'Guard room',
      'recipient.safety-officer': 'Safety officer',
      'recipient.principal': 'Principal',
      'recipient.district-duty-office': 'District duty office',
      'channel.dashboard': 'Board',
      'channel.webhook': 'Webhook',
      'channel.email': 'Email',
      'outcome.sent': 'Sent',
      'outcome.failed': 'Failed, retrying',
      'outcome.gave_up': 'Failed',
      'outcome.unrouted': 'No channel configured',

      'error.http': 'Could not load the alarm history ({status}){detail}',
      'error.network': 'Cannot reach the server: reload the page later'
    }
  };
  Object.keys(TEXT).forEach(function (lang) { Object.assign(I18N.STRINGS[lang], TEXT[lang]); });

  var PERIODS = { today: true, '7d': true, '30d': true };
  var SEVERITIES = { critical: true, major: true, minor: true, warning: true };
  var REFRESH_MS = 60000;

  var state = {
    period: '7d',
    site: '',
    siteNames: {},
    severity: '',
    me: null,
    rt: null,           // GET /api/alarms/response-times
    list: null,         // GET /api/alarms/history
    knownSites: [],     // schools seen (a user of every school has no list of them)
    request: 0,         // the newest load; older answers are dropped
    loading: false,
    error: null,
    open: null          // { alarm, audit, deliveries, error } while the dialog shows one alarm
  };

  // ---- Small helpers -----------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function localDateTime(ms) { return ms === null ? '—' : localDate(ms) + ' ' + localClock(ms); }

  function localMinute(ms) { return localDate(ms) + ' ' + localClock(ms).slice(0, 5); }

  function seconds(v) { return v === null || v === undefined ? null : Number(v); }

  function duration(sec) { return sec === null ? '—' : I18N.formatDuration(sec * 1000); }

  function known(prefix, value) { return value && I18N.has(prefix + value) ? t(prefix + value) : (value || '—'); }

  /**
   * An audit note in the reader's language where the server wrote a known form: an escalation's
   * "level 1: safety-officer, principal" (or "level 3 (repeat 1): …") becomes 第 1 级：安全员、校长. Anything else as written.
   */
  function noteText(e) {
    var note = e.note || '';
    var m = e.transition === 'escalated' && /^level (\d+)(?: \(repeat (\d+)\))?: (.*)$/.exec(note);
    if (!m) return note;
    var who = m[3].split(/,\s*/).filter(Boolean).map(function (r) { return known('recipient.', r); }).join(t('audit.recipientSep'));
    return t(m[2] ? 'audit.escalatedRepeat' : 'audit.escalated', { n: m[1], r: m[2], who: who });
  }

  function badge(kind, value, text) { return el('span', 'badge ' + kind + ' ' + kind + '-' + (value || 'unknown'), text); }

  function typeText(a) {
    if (a.rule === 'fixed-heat') return t('rule.fixed-heat');
    if (a.type && I18N.has('type.' + a.type)) return t('type.' + a.type);
    if (a.type) return a.type;
    if (a.rule && I18N.has('rule.' + a.rule)) return t('rule.' + a.rule);
    return a.rule || t('type.unknown');
  }

  function valueText(a) {
    if (a.value === null || a.value === undefined) return null;
    var v = Math.round(a.value * 10) / 10;
    return a.metric === 'temperature' ? v + ' °C' : (a.metric ? known('metric.', a.metric) + ' ' : '') + v;
  }

  /** The place: the label, or the most specific identifier, then the rest. */
  function placeText(a) {
    var parts = [['location', a.location], ['zone', a.zone], ['point', a.point], ['device', a.device], ['gateway', a.gateway]]
      .filter(function (p) { return !!p[1]; })
      .map(function (p) { return p[0] === 'location' ? p[1] : t('place.' + p[0]) + ' ' + p[1]; });
    if (a.label) parts.unshift(a.label);
    return parts.length ? parts.join(' · ') : t('place.unknown');
  }

  // ---- Data ------------------------------------------------------------------
  function fromFor(period) {
    var now = new Date();
    if (period === 'today') return new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return new Date(now.getTime() - (period === '30d' ? 30 : 7) * 86400000);
  }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) q.set(k, params[k]); });
    return q.toString();
  }

  /** GET a JSON body; rejects with { status, detail } (CampusAuth.getJson: 401 goes to the sign-in page). */
  var getJson = CampusAuth.getJson;

  function load() {
    var id = ++state.request;
    state.loading = true;
    renderPeriodText();
    // The period runs up to the server's now (no "to"): a browser clock behind the server's would miss the newest alarms.
    var from = fromFor(state.period).toISOString();
    var rt = getJson('/api/alarms/response-times?' + query({ from: from, site: state.site }));
    var list = getJson('/api/alarms/history?' + query({ from: from, site: state.site, severity: state.severity }));
    return Promise.all([rt, list]).then(function (answers) {
      if (id !== state.request) return;
      state.rt = answers[0];
      state.list = answers[1];
      state.error = null;
      remember(state.rt.rows.concat(state.list.alarms));
    }, function (err) {
      if (id !== state.request) return;
      state.error = err || { status: 0, detail: '' };
    }).then(function () {
      if (id !== state.request) return;
      state.loading = false;
      render();
    });
  }

  // Schools seen in the answers, and their names where Campus:Sites gives one (the id otherwise).
  function remember(items) {
    items.forEach(function (item) {
      var s = item.site;
      if (item.siteName) state.siteNames[s] = item.siteName;
      if (s && state.knownSites.indexOf(s) < 0) state.knownSites.push(s);
    });
    state.knownSites.sort();
  }

  function siteText(site) { return state.siteNames[site] || site; }

  function seesAll(me) { return !me || me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0; }

  // ---- Filters and the address bar ----------------------------------------------
  function readUrl() {
    var q = new URLSearchParams(location.search);
    if (PERIODS[q.get('period')]) state.period = q.get('period');
    if (SEVERITIES[q.get('severity')]) state.severity = q.get('severity');
    if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(q.get('site') || '')) state.site = q.get('site');
  }

  function writeUrl() {
    var q = query({ period: state.period === '7d' ? '' : state.period, site: state.site, severity: state.severity });
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
  }

  function changed() { writeUrl(); renderFilters(); load(); }

  function wireFilters() {
    document.querySelectorAll('[data-period]').forEach(function (b) {
      b.addEventListener('click', function () { state.period = b.getAttribute('data-period'); changed(); });
    });
    $('site-filter').addEventListener('change', function () { state.site = $('site-filter').value; changed(); });
    $('severity-filter').addEventListener('change', function () { state.severity = $('severity-filter').value; changed(); });
    $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); });
  }

  // ---- Rendering -----------------------------------------------------------
  function renderStatic() {
    document.documentElement.lang = I18N.getLang();
    document.title = t('history.title') + ' · ' + t('app.title');
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    var toggle = $('lang-toggle');
    toggle.textContent = t('lang.toggle');
    toggle.setAttribute('aria-label', t('lang.toggle.aria'));
    var target = state.rt ? state.rt.ackTargetSeconds : 60;
    $('rt-late-head').textContent = t('rt.late', { s: target });
    $('rt-note').textContent = t('rt.note', { s: target });
  }

  function renderFilters() {
    document.querySelectorAll('[data-period]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-period') === state.period));
    });
    var sites = seesAll(state.me) ? state.knownSites.slice() : (state.me.sites || []).slice().sort();
    if (state.site && sites.indexOf(state.site) < 0) sites.push(state.site);
    var select = $('site-filter');
    var current = Array.prototype.slice.call(select.options, 1).map(function (o) { return o.value; });
    // Rebuilt only when the schools changed: a refresh must not close the list under someone choosing from it.
    if (current.join(',') !== sites.join(',')) {
      while (select.options.length > 1) select.remove(1);
      sites.forEach(function (s) { select.appendChild(new Option(siteText(s), s)); });
    }
    select.value = state.site;
    $('severity-filter').value = state.severity;
  }

  function renderPeriodText() {
    var node = $('period-text');
    if (state.loading && !state.list) { node.textContent = t('period.loading'); return; }
    var source = state.list || state.rt;
    if (!source) { node.textContent = ''; return; }
    node.textContent = t('period.text', { from: localMinute(parseTime(source.from)), to: localMinute(parseTime(source.to)) });
  }

  function renderError() {
    var banner = $('error-banner');
    if (!state.error) { banner.hidden = true; return; }
    banner.hidden = false;
    banner.textContent = state.error.status === 0
      ? t('error.network')
      : t('error.http', { status: state.error.status, detail: state.error.detail ? (I18N.getLang() === 'en' ? ': ' : '：') + state.error.detail : '' });
  }

  function numCell(text, className) {
    var td = el('td', 'num' + (className ? ' ' + className : ''), text);
    return td;
  }

  function renderRt() {
    var body = $('rt-body');
    body.textContent = '';
    var rows = state.rt ? state.rt.rows.filter(function (r) { return !state.severity || r.severity === state.severity; }) : [];
    var target = state.rt ? state.rt.ackTargetSeconds : 60;
    rows.forEach(function (r) {
      var tr = el('tr', 'rt-row sev-' + r.severity);
      tr.setAttribute('data-testid', 'rt-row');
      tr.setAttribute('data-site', r.site);
      tr.setAttribute('data-severity', r.severity);
      tr.appendChild(el('th', 'site', siteText(r.site))).setAttribute('scope', 'row');
      var sev = el('td');
      sev.appendChild(badge('sev', r.severity, known('severity.', r.severity)));
      tr.appendChild(sev);
      tr.appendChild(numCell(r.count, 'count'));
      tr.appendChild(numCell(r.acknowledged, 'acked'));
      var median = seconds(r.ackMedianSeconds);
      tr.appendChild(numCell(duration(median), 'ack-median strong' + (median !== null && median > target ? ' slow' : '')));
      tr.appendChild(numCell(duration(seconds(r.ackP90Seconds)), 'ack-p90'));
      var max = seconds(r.ackMaxSeconds);
      tr.appendChild(numCell(duration(max), 'ack-max' + (max !== null && max > target ? ' slow' : '')));
      tr.appendChild(numCell(duration(seconds(r.clearMedianSeconds)), 'clear-median'));
      tr.appendChild(numCell(duration(seconds(r.clearP90Seconds)), 'clear-p90'));
      var late = numCell('', 'late');
      late.setAttribute('data-testid', 'rt-late');
      late.appendChild(el('span', 'late-count ' + (r.notAckedInTime > 0 ? 'is-late' : 'on-time'), r.notAckedInTime));
      tr.appendChild(late);
      body.appendChild(tr);
    });
    var empty = $('rt-empty');
    empty.hidden = !state.rt || rows.length > 0;
    empty.textContent = t('rt.empty');
  }

  function renderList() {
    var body = $('history-body');
    body.textContent = '';
    var alarms = state.list ? state.list.alarms : [];
    alarms.forEach(function (a) { body.appendChild(renderAlarm(a)); });
    $('list-count').textContent = state.list ? t('list.count', { n: alarms.length }) : '';
    var empty = $('list-empty');
    empty.hidden = !state.list || alarms.length > 0;
    empty.textContent = t('list.empty');
    var more = $('more-note');
    more.hidden = !(state.list && state.list.more);
    more.textContent = t('list.more', { n: alarms.length });
  }

  function renderAlarm(a) {
    var tr = el('tr', 'history-row sev-' + a.severity + ' state-' + a.state);
    tr.setAttribute('data-testid', 'history-row');
    tr.setAttribute('data-alarm-id', a.id);
    tr.setAttribute('data-site', a.site);
    tr.setAttribute('data-state', a.state);

    var raised = parseTime(a.raisedAt);
    var when = el('td', 'when');
    when.appendChild(el('div', 'when-time', raised === null ? '—' : localClock(raised)));
    when.appendChild(el('div', 'when-date', raised === null ? '' : localDate(raised)));
    tr.appendChild(when);

    tr.appendChild(el('td', 'site', siteText(a.site)));

    var what = el('td', 'what');
    var type = el('div', 'what-type', typeText(a));
    var v = valueText(a);
    if (v) type.appendChild(el('span', 'what-value', v));
    what.appendChild(type);
    what.appendChild(el('div', 'what-place', placeText(a)));
    tr.appendChild(what);

    var sev = el('td', 'sev-state');
    sev.appendChild(badge('sev', a.severity, known('severity.', a.severity)));
    sev.appendChild(badge('st', a.state, known('state.', a.state)));
    tr.appendChild(sev);

    var ack = seconds(a.ackSeconds);
    var target = state.rt ? state.rt.ackTargetSeconds : 60;
    var ackCell = numCell(ack === null ? t('list.notAcked') : duration(ack), 'ack-time' + (ack === null ? ' missing' : ack > target ? ' slow' : ''));
    ackCell.setAttribute('data-testid', 'ack-time');
    tr.appendChild(ackCell);

    // "name (account)": the name typed on a shared guard-room account, and the account, on a line of its own.
    var by = el('td', 'acked-by');
    var who = /^(.+) \(([^()]+)\)$/.exec(a.ackedBy || '');
    by.appendChild(el('div', null, who ? who[1] : (a.ackedBy || '—')));
    if (who) by.appendChild(el('div', 'small muted', who[2]));
    tr.appendChild(by);

    var clear = seconds(a.clearSeconds);
    var clearCell = numCell(clear === null ? t('list.notCleared') : duration(clear), 'clear-time' + (clear === null ? ' muted' : ''));
    clearCell.setAttribute('data-testid', 'clear-time');
    tr.appendChild(clearCell);

    var act = el('td', 'act');
    var open = el('button', 'open-button', t('list.open'));
    open.type = 'button';
    open.setAttribute('data-testid', 'open-audit');
    open.setAttribute('aria-label', t('list.open.aria', { what: typeText(a) + ' · ' + siteText(a.site) + ' · ' + localDateTime(raised) }));
    act.appendChild(open);
    tr.appendChild(act);

    // The whole row opens it (the button is there for the keyboard and for screen readers).
    tr.addEventListener('click', function () { openAudit(a, open); });
    return tr;
  }

  // ---- One alarm: audit trail and deliveries ----------------------------------
  var returnFocus = null;

  function openAudit(a, opener) {
    returnFocus = opener || null;
    state.open = { alarm: a, audit: null, deliveries: null, error: null };
    renderDialog();
    var d = $('audit-dialog');
    if (!d.open) { if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', ''); }
    var id = encodeURIComponent(a.id);
    Promise.all([getJson('/api/alarms/' + id + '/audit'), getJson('/api/alarms/' + id + '/deliveries')])
      .then(function (answers) {
        if (!state.open || state.open.alarm.id !== a.id) return;
        state.open.audit = answers[0];
        state.open.deliveries = answers[1];
      }, function (err) {
        if (!state.open || state.open.alarm.id !== a.id) return;
        state.open.error = err || { status: 0 };
      })
      .then(renderDialog);
  }

  function closeAudit() {
    var d = $('audit-dialog');
    if (typeof d.close === 'function' && d.open) d.close(); else d.removeAttribute('open');
    state.open = null;
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
  }

  function fact(list, label, value, testid) {
    var wrap = el('div', 'fact');
    wrap.appendChild(el('dt', null, label));
    var dd = el('dd');
    if (typeof value === 'string') dd.textContent = value; else dd.appendChild(value);
    if (testid) dd.setAttribute('data-testid', testid);
    wrap.appendChild(dd);
    list.appendChild(wrap);
  }

  function renderDialog() {
    if (!state.open) return;
    var a = state.open.alarm;
    var title = typeText(a);
    var v = valueText(a);
    $('audit-title').textContent = v ? title + ' ' + v : title;
    $('audit-place').textContent = siteText(a.site) + ' · ' + placeText(a);

    var facts = $('audit-facts');
    facts.textContent = '';
    fact(facts, t('field.raisedAt'), localDateTime(parseTime(a.raisedAt)));
    fact(facts, t('field.state'), badge('st', a.state, known('state.', a.state)));
    var ack = seconds(a.ackSeconds);
    fact(facts, t('audit.ackTime'), ack === null ? t('list.notAcked') : duration(ack) + (a.ackedBy ? ' · ' + a.ackedBy : ''), 'audit-ack-time');
    var clear = seconds(a.clearSeconds);
    fact(facts, t('audit.clearTime'), clear === null ? t('list.notCleared') : duration(clear));
    fact(facts, t('audit.escalation'), a.escalationLevel > 0 ? t('escalation.level', { n: a.escalationLevel }) : t('escalation.none'));

    var auditBody = $('audit-body');
    auditBody.textContent = '';
    var entries = state.open.audit;
    if (!entries && !state.open.error) {
      var loading = el('tr');
      loading.appendChild(el('td', 'muted', t('audit.loading'))).colSpan = 5;
      auditBody.appendChild(loading);
    }
    (entries || []).forEach(function (e) {
      var tr = el('tr', 'audit-row tr-' + e.transition);
      tr.setAttribute('data-testid', 'audit-row');
      tr.setAttribute('data-transition', e.transition);
      tr.appendChild(el('td', 'at', localDateTime(parseTime(e.at))));
      tr.appendChild(el('td', 'transition', known('transition.', e.transition)));
      var st = el('td');
      st.appendChild(badge('st', e.state, known('state.', e.state)));
      tr.appendChild(st);
      tr.appendChild(el('td', 'by', e.by === 'system' ? t('audit.system') : e.by));
      tr.appendChild(el('td', 'note', noteText(e)));
      auditBody.appendChild(tr);
    });

    var delBody = $('deliveries-body');
    delBody.textContent = '';
    var deliveries = state.open.deliveries || [];
    deliveries.forEach(function (d) {
      var tr = el('tr', 'delivery-row');
      tr.setAttribute('data-testid', 'delivery-row');
      tr.appendChild(el('td', 'at', localDateTime(parseTime(d.at))));
      tr.appendChild(el('td', null, d.level > 0 ? t('deliveries.levelN', { n: d.level }) : t('deliveries.level0')));
      var who = el('td');
      who.appendChild(el('div', null, known('recipient.', d.recipient)));
      if (d.address) who.appendChild(el('div', 'small muted', d.address));
      tr.appendChild(who);
      tr.appendChild(el('td', null, known('channel.', d.channel)));
      tr.appendChild(el('td', 'num', d.attempt));
      var outcome = el('td');
      outcome.appendChild(el('span', 'outcome outcome-' + d.outcome, known('outcome.', d.outcome)));
      if (d.error) outcome.appendChild(el('div', 'small muted', d.error));
      tr.appendChild(outcome);
      delBody.appendChild(tr);
    });
    var none = $('deliveries-empty');
    none.hidden = !state.open.deliveries || deliveries.length > 0;
    none.textContent = t('deliveries.empty');

    var error = $('audit-error');
    error.hidden = !state.open.error;
    error.textContent = state.open.error ? t('audit.failed', { status: state.open.error.status }) : '';
  }

  function wireDialog() {
    var d = $('audit-dialog');
    $('audit-close').addEventListener('click', closeAudit);
    d.addEventListener('cancel', function (ev) { ev.preventDefault(); closeAudit(); });
    // A click on the backdrop (outside the dialog's box) closes it too.
    d.addEventListener('click', function (ev) {
      if (ev.target !== d) return;
      var r = d.getBoundingClientRect();
      if (ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom) closeAudit();
    });
  }

  function render() {
    renderStatic();
    renderFilters();
    renderPeriodText();
    renderError();
    renderRt();
    renderList();
    renderDialog();
  }

  // ---- Start-up ------------------------------------------------------------
  function init() {
    readUrl();
    wireFilters();
    wireDialog();
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      render();
      CampusAuth.renderUser($('user-box'), state.me);
    });
    render();
    CampusAuth.me().then(function (me) {
      if (!me) { state.error = { status: 0, detail: '' }; render(); return; }
      state.me = me;
      CampusAuth.renderUser($('user-box'), me);
      renderFilters();
      load();
      setInterval(function () { if (!state.loading && !state.open) load(); }, REFRESH_MS);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
