/*
 * Campus.IoT — what the 三清单 page (lists.html) and the annual report page (report.html) share: the hazard words in
 * zh-CN and English (categories, risk levels, statuses, sources), the top bar's strings, small DOM helpers, GET of JSON
 * with problem+json errors, and the schools a user may pick. Plain script, no build step. Needs js/i18n.js and js/auth.js.
 * Exposes window.CampusReports. Every value from the server goes into the DOM through textContent or attributes only.
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;

  var I18N = window.CampusI18n;
  var t = I18N.t;

  var TEXT = {
    'zh-CN': {
      'hzr.nav.board': '← 返回报警监控台',
      'hzr.nav.register': '隐患台账',
      'hzr.nav.lists': '三清单',
      'hzr.nav.report': '年度报告',
      'hzr.filter.site': '学校',
      'hzr.filter.allSites': '全部学校',
      'hzr.loading': '正在加载…',
      'hzr.error.http': '无法读取数据（{status}）{detail}',
      'hzr.error.network': '无法连接服务器，请稍后刷新页面',

      'hzr.category.fire': '消防安全',
      'hzr.category.food_safety': '食品安全',
      'hzr.category.lab_chemicals': '实验室及危险化学品',
      'hzr.category.traffic': '校车及交通安全',
      'hzr.category.buildings': '校舍建筑',
      'hzr.category.facilities': '设施设备',
      'hzr.category.other': '其他',
      'hzr.risk.major': '重大风险',
      'hzr.risk.significant': '较大风险',
      'hzr.risk.general': '一般风险',
      'hzr.risk.low': '低风险',
      'hzr.status.registered': '已登记',
      'hzr.status.rectifying': '整改中',
      'hzr.status.awaiting_verification': '待验收',
      'hzr.status.closed': '已销号',
      'hzr.source.alarm': '设备报警',
      'hzr.source.inspection': '隐患排查',
      'hzr.source.report': '人员上报',
      'hzr.yes': '是',
      'hzr.no': '否',
      'hzr.verification.true': '通过',
      'hzr.verification.false': '未通过'
    },
    en: {
      'hzr.nav.board': '← Back to the alarm board',
      'hzr.nav.register': 'Hazard register',
      'hzr.nav.lists': 'Three lists',
      'hzr.nav.report': 'Annual report',
      'hzr.filter.site': 'School',
      'hzr.filter.allSites': 'All schools',
      'hzr.loading': 'Loading…',
      'hzr.error.http': 'Could not load the data ({status}){detail}',
      'hzr.error.network': 'Cannot reach the server: reload the page later',

      'hzr.category.fire': 'Fire safety',
      'hzr.category.food_safety': 'Food safety',
      'hzr.category.lab_chemicals': 'Labs & hazardous chemicals',
      'hzr.category.traffic': 'School buses & traffic',
      'hzr.category.buildings': 'School buildings',
      'hzr.category.facilities': 'Facilities & equipment',
      'hzr.category.other': 'Other',
      'hzr.risk.major': 'Major risk',
      'hzr.risk.significant': 'Significant risk',
      'hzr.risk.general': 'General risk',
      'hzr.risk.low': 'Low risk',
      'hzr.status.registered': 'Registered',
      'hzr.status.rectifying': 'Rectifying',
      'hzr.status.awaiting_verification': 'Awaiting verification',
      'hzr.status.closed': 'Closed',
      'hzr.source.alarm': 'Device alarm',
      'hzr.source.inspection': 'Inspection',
      'hzr.source.report': 'Staff report',
      'hzr.yes': 'Yes',
      'hzr.no': 'No',
      'hzr.verification.true': 'Passed',
      'hzr.verification.false': 'Failed'
    }
  };
  Object.keys(TEXT).forEach(function (lang) { Object.assign(I18N.STRINGS[lang], TEXT[lang]); });

  var CATEGORIES = ['fire', 'food_safety', 'lab_chemicals', 'traffic', 'buildings', 'facilities', 'other'];
  var RISKS = ['major', 'significant', 'general', 'low'];
  var STATUSES = ['registered', 'rectifying', 'awaiting_verification', 'closed'];
  // The four risk colours of the district plan's risk map: red, orange, yellow, blue.
  var RISK_COLOURS = { major: '#e0242b', significant: '#ff9800', general: '#ffd600', low: '#2f80ed' };
  var SITE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

  function $(id) { return document.getElementById(id); }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k] !== undefined && params[k] !== null && params[k] !== '') q.set(k, params[k]); });
    return q.toString();
  }

  /** GET a JSON body; rejects with { status, detail } (CampusAuth.getJson: 401 goes to the sign-in page). */
  var getJson = CampusAuth.getJson;

  function errorText(err) {
    if (!err || err.status === 0) return t('hzr.error.network');
    return t('hzr.error.http', { status: err.status, detail: err.detail ? (I18N.getLang() === 'en' ? ': ' : '：') + err.detail : '' });
  }

  function seesAll(me) { return !me || me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0; }

  /**
   * The schools a user may pick: their own; for a user of every school, those the platform has heard of (GET /api/sites)
   * and any seen in an answer.
   */
  function schools(me) {
    if (!seesAll(me)) return Promise.resolve((me.sites || []).slice().sort());
    return getJson('/api/sites').then(function (body) {
      return (body && body.sites || []).map(function (s) { return s.site; }).sort();
    }, function () { return []; });
  }

  /** Fills a school picker (first option "all") when the schools changed, and selects <value>. */
  function fillSites(select, sites, names, value) {
    var list = sites.slice();
    if (value && list.indexOf(value) < 0) list.push(value);
    list.sort();
    var current = Array.prototype.slice.call(select.options, 1).map(function (o) { return o.value + '=' + o.textContent; });
    var wanted = list.map(function (s) { return s + '=' + (names[s] || s); });
    if (current.join(',') !== wanted.join(',')) {
      while (select.options.length > 1) select.remove(1);
      list.forEach(function (s) { select.appendChild(new Option(names[s] || s, s)); });
    }
    select.value = value || '';
  }

  /** Translates [data-i18n] nodes, the title, <html lang> and the language button. */
  function renderStatic(titleKey) {
    document.documentElement.lang = I18N.getLang();
    document.title = t(titleKey) + ' · ' + t('app.title');
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    var toggle = $('lang-toggle');
    toggle.textContent = t('lang.toggle');
    toggle.setAttribute('aria-label', t('lang.toggle.aria'));
  }

  /** A percentage of a fraction with one decimal (null: —). */
  function percent(rate) {
    if (rate === null || rate === undefined) return '—';
    return (Math.round(rate * 1000) / 10).toFixed(1) + '%';
  }

  function word(prefix, value) { return value && I18N.has(prefix + value) ? t(prefix + value) : (value || '—'); }

  window.CampusReports = {
    CATEGORIES: CATEGORIES,
    RISKS: RISKS,
    STATUSES: STATUSES,
    RISK_COLOURS: RISK_COLOURS,
    SITE_PATTERN: SITE_PATTERN,
    $: $,
    el: el,
    query: query,
    getJson: getJson,
    errorText: errorText,
    seesAll: seesAll,
    schools: schools,
    fillSites: fillSites,
    renderStatic: renderStatic,
    percent: percent,
    word: word
  };
})();
