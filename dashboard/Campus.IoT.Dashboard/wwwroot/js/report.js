/*
 * Campus.IoT annual report (report.html): for a calendar year and one school or all the user sees, the hazards found that
 * year (registered, closed, closure and overdue rates, days to close), the alarms of that year and how fast they were
 * acknowledged, charts by category, risk level, status and alarm type (the vendored Apache ECharts), a row per school,
 * and the XLSX download. Reads GET /api/hazards/report. A year with nothing in it shows an empty state, not blank charts.
 * Plain script, no build step. Needs js/i18n.js, js/auth.js, lib/echarts/echarts.min.js and js/reports-common.js.
 */
(function () {
  'use strict';

  var I18N = window.CampusI18n;
  var R = window.CampusReports;
  var t = I18N.t;
  var $ = R.$;
  var el = R.el;

  var TEXT = {
    'zh-CN': {
      'report.title': '隐患排查治理年度报告',
      'report.filter.year': '年度',
      'report.download': '下载年度报告 Excel',
      'report.note': '按学校所在时区的自然年统计当年发现的隐患（状态为当前状态）和当年的设备报警。逾期率 = 已过整改时限仍未销号或晚于时限销号的 ÷ 有整改时限的。',
      'report.summary.all': '{year} 年 · {school}',
      'report.summary.district': '全部学校',
      'report.tile.registered': '隐患登记',
      'report.tile.closed': '已销号',
      'report.tile.closure': '销号率',
      'report.tile.overdue': '逾期率',
      'report.tile.days': '平均销号用时',
      'report.tile.alarms': '设备报警',
      'report.tile.ack': '平均确认用时',
      'report.days': '{d} 天',
      'report.chart.category': '隐患类别',
      'report.chart.risk': '风险等级',
      'report.chart.status': '整改状态',
      'report.chart.alarms': '报警类型',
      'report.chart.hazards': '隐患数',
      'report.chart.alarmCount': '报警数',
      'report.alarms.empty': '当年没有设备报警',
      'report.empty': '{year} 年没有登记隐患，也没有设备报警',
      'report.noLib': '图表组件加载失败，只显示数字',
      'report.schools.heading': '各学校',
      'report.col.school': '学校',
      'report.total': '合计'
    },
    en: {
      'report.title': 'Annual hazard report',
      'report.filter.year': 'Year',
      'report.download': 'Download the report (Excel)',
      'report.note': 'Hazards found in the calendar year (in the school\'s time zone), with their status today, and the device alarms of that year. Overdue rate = still open past the deadline or closed after it ÷ those with a deadline.',
      'report.summary.all': '{year} · {school}',
      'report.summary.district': 'All schools',
      'report.tile.registered': 'Hazards found',
      'report.tile.closed': 'Closed',
      'report.tile.closure': 'Closure rate',
      'report.tile.overdue': 'Overdue rate',
      'report.tile.days': 'Mean time to close',
      'report.tile.alarms': 'Device alarms',
      'report.tile.ack': 'Mean time to acknowledge',
      'report.days': '{d} days',
      'report.chart.category': 'By category',
      'report.chart.risk': 'By risk level',
      'report.chart.status': 'By status',
      'report.chart.alarms': 'Alarms by type',
      'report.chart.hazards': 'Hazards',
      'report.chart.alarmCount': 'Alarms',
      'report.alarms.empty': 'No device alarms this year',
      'report.empty': 'No hazards were registered and no alarms raised in {year}',
      'report.noLib': 'The chart library did not load: numbers only',
      'report.schools.heading': 'By school',
      'report.col.school': 'School',
      'report.total': 'Total'
    }
  };
  Object.keys(TEXT).forEach(function (lang) { Object.assign(I18N.STRINGS[lang], TEXT[lang]); });

  var STATUS_COLOURS = { registered: '#4fc3f7', rectifying: '#ffb300', awaiting_verification: '#ab8cff', closed: '#2fbf71' };
  var TEXT_COLOUR = '#f1f4f8';
  var MUTED = '#a9b4c2';
  var LINE = '#2c3746';
  var YEARS_BACK = 9;

  var thisYear = new Date().getFullYear();
  var state = { year: thisYear, site: '', me: null, sites: [], names: {}, data: null, error: null, loading: false, request: 0 };
  var charts = {};

  function readUrl() {
    var q = new URLSearchParams(location.search);
    var y = Number(q.get('year'));
    if (/^\d{4}$/.test(q.get('year') || '') && y >= 2000 && y <= 2100) state.year = y;
    if (R.SITE_PATTERN.test(q.get('site') || '')) state.site = q.get('site');
  }

  function params() { return R.query({ year: state.year, site: state.site }); }

  function writeUrl() {
    var q = R.query({ year: state.year === thisYear ? '' : state.year, site: state.site });
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
  }

  function changed() { writeUrl(); renderFilters(); load(); }

  function wireFilters() {
    $('year-filter').addEventListener('change', function () { state.year = Number($('year-filter').value); changed(); });
    $('site-filter').addEventListener('change', function () { state.site = $('site-filter').value; changed(); });
    $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); });
  }

  function load() {
    var id = ++state.request;
    state.loading = true;
    return R.getJson('/api/hazards/report?' + params()).then(function (body) {
      if (id !== state.request) return;
      state.data = body;
      state.error = null;
      body.schools.forEach(function (s) {
        if (state.sites.indexOf(s.site) < 0) state.sites.push(s.site);
        if (s.school && s.school !== s.site) state.names[s.site] = s.school;
      });
    }, function (err) {
      if (id !== state.request) return;
      state.error = err;
      state.data = null;
    }).then(function () {
      if (id !== state.request) return;
      state.loading = false;
      render();
    });
  }

  // ---- Numbers --------------------------------------------------------------------
  function days(v) { return v === null || v === undefined ? '—' : t('report.days', { d: (Math.round(v * 10) / 10).toFixed(1) }); }

  function ackTime(v) { return v === null || v === undefined ? '—' : I18N.formatDuration(v * 1000); }

  function schoolText(row) { return state.names[row.site] || row.school || row.site; }

  // ---- Rendering ------------------------------------------------------------------
  function renderFilters() {
    var select = $('year-filter');
    var years = [];
    for (var y = thisYear; y >= thisYear - YEARS_BACK; y--) years.push(y);
    if (years.indexOf(state.year) < 0) years.push(state.year);
    years.sort(function (a, b) { return b - a; });
    if (Array.prototype.map.call(select.options, function (o) { return o.value; }).join(',') !== years.join(',')) {
      select.textContent = '';
      years.forEach(function (year) { select.appendChild(new Option(String(year), String(year))); });
    }
    select.value = String(state.year);
    R.fillSites($('site-filter'), state.sites, state.names, state.site);
    $('download-xlsx').href = '/api/hazards/report.xlsx?' + params();
  }

  function tile(id, text) { $(id).textContent = text; }

  function renderTiles() {
    var d = state.data ? state.data.district : null;
    var school = state.site ? (state.names[state.site] || state.site) : t('report.summary.district');
    $('summary-title').textContent = t('report.summary.all', { year: state.year, school: school });
    tile('tile-registered', d ? d.registered : '—');
    tile('tile-closed', d ? d.closed : '—');
    tile('tile-closure', d ? R.percent(d.closureRate) : '—');
    tile('tile-overdue', d ? R.percent(d.overdueRate) : '—');
    tile('tile-days', d ? days(d.meanDaysToClose) : '—');
    tile('tile-alarms', d ? d.alarms : '—');
    tile('tile-ack', d ? ackTime(d.meanSecondsToAck) : '—');
    $('tile-overdue').classList.toggle('bad', !!(d && d.overdueRate > 0));
  }

  function isEmpty() { return state.data && state.data.district.registered === 0 && state.data.district.alarms === 0; }

  function renderEmpty() {
    var empty = $('report-empty');
    empty.hidden = !isEmpty();
    empty.textContent = t('report.empty', { year: state.year });
  }

  function chartOf(id) {
    if (charts[id] && charts[id].lang === I18N.getLang()) return charts[id].chart;
    if (charts[id]) charts[id].chart.dispose();
    var chart = window.echarts.init($(id), null, { renderer: 'canvas', locale: I18N.getLang() === 'en' ? 'EN' : 'ZH' });
    charts[id] = { chart: chart, lang: I18N.getLang() };
    return chart;
  }

  function axisStyle() {
    return {
      axisLabel: { color: MUTED, fontSize: 14 },
      axisLine: { lineStyle: { color: LINE } },
      splitLine: { lineStyle: { color: LINE } }
    };
  }

  function bar(id, labels, values, colours, seriesName) {
    var chart = chartOf(id);
    chart.setOption({
      animation: false,
      textStyle: { color: TEXT_COLOUR },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: Object.assign({ type: 'value', minInterval: 1 }, axisStyle()),
      yAxis: Object.assign({ type: 'category', data: labels, inverse: true }, axisStyle(), { axisLabel: { color: TEXT_COLOUR, fontSize: 16 } }),
      series: [{
        type: 'bar',
        name: seriesName,
        data: values.map(function (v, i) { return { value: v, itemStyle: { color: colours[i] } }; }),
        barMaxWidth: 28,
        label: { show: true, position: 'right', color: TEXT_COLOUR, fontSize: 16 }
      }]
    }, true);
  }

  function renderCharts() {
    var section = $('charts');
    var d = state.data ? state.data.district : null;
    section.hidden = !d || isEmpty();
    if (section.hidden) return;
    if (!window.echarts) {
      section.hidden = true;
      $('error-banner').hidden = false;
      $('error-banner').textContent = t('report.noLib');
      return;
    }
    bar('chart-category', R.CATEGORIES.map(function (c) { return t('hzr.category.' + c); }),
      R.CATEGORIES.map(function (c) { return d.byCategory[c] || 0; }), R.CATEGORIES.map(function () { return '#4fc3f7'; }), t('report.chart.hazards'));
    bar('chart-status', R.STATUSES.map(function (s) { return t('hzr.status.' + s); }),
      R.STATUSES.map(function (s) { return d.byStatus[s] || 0; }), R.STATUSES.map(function (s) { return STATUS_COLOURS[s]; }), t('report.chart.hazards'));

    chartOf('chart-risk').setOption({
      animation: false,
      textStyle: { color: TEXT_COLOUR },
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      // Every level in the legend; only the levels with hazards in the ring (no "0" slivers).
      legend: { orient: 'vertical', right: 8, top: 'middle', itemGap: 14, textStyle: { color: TEXT_COLOUR, fontSize: 16 }, data: R.RISKS.map(function (r) { return t('hzr.risk.' + r); }) },
      series: [{
        type: 'pie',
        name: t('report.chart.risk'),
        radius: ['45%', '75%'],
        center: ['38%', '50%'],
        avoidLabelOverlap: true,
        label: { color: TEXT_COLOUR, fontSize: 16, formatter: '{c}' },
        itemStyle: { borderColor: '#141a22', borderWidth: 2 },
        data: R.RISKS.filter(function (r) { return d.byRisk[r] > 0; })
          .map(function (r) { return { name: t('hzr.risk.' + r), value: d.byRisk[r], itemStyle: { color: R.RISK_COLOURS[r] } }; })
      }]
    }, true);

    var rules = d.alarmsByRule || [];
    var noAlarms = rules.length === 0;
    $('alarms-empty').hidden = !noAlarms;
    $('alarms-empty').textContent = t('report.alarms.empty');
    $('chart-alarms').hidden = noAlarms;
    if (!noAlarms) {
      var en = I18N.getLang() === 'en';
      bar('chart-alarms', rules.map(function (r) { return en ? r.labelEn : r.labelZh; }), rules.map(function (r) { return r.count; }),
        rules.map(function (r) { return r.rule === 'fire' ? '#e0242b' : '#ffb300'; }), t('report.chart.alarmCount'));
    }
    Object.keys(charts).forEach(function (id) { charts[id].chart.resize(); });
  }

  function num(text, className) { return el('td', 'num' + (className ? ' ' + className : ''), text); }

  function schoolRow(row, total) {
    var tr = el('tr', total ? 'school-row total-row' : 'school-row');
    tr.setAttribute('data-testid', total ? 'total-row' : 'school-row');
    if (!total) tr.setAttribute('data-site', row.site);
    var th = el('th', 'site', total ? t('report.total') : schoolText(row));
    th.scope = 'row';
    tr.appendChild(th);
    tr.appendChild(num(row.registered, 'registered'));
    tr.appendChild(num(row.closed, 'closed'));
    tr.appendChild(num(R.percent(row.closureRate), 'closure'));
    tr.appendChild(num(R.percent(row.overdueRate), 'overdue' + (row.overdueRate > 0 ? ' bad' : '')));
    tr.appendChild(num(days(row.meanDaysToClose), 'days'));
    tr.appendChild(num(row.alarms, 'alarms'));
    tr.appendChild(num(ackTime(row.meanSecondsToAck), 'ack'));
    return tr;
  }

  function renderSchools() {
    var panel = $('schools-panel');
    var body = $('schools-body');
    body.textContent = '';
    var rows = state.data ? state.data.schools : [];
    panel.hidden = !state.data || isEmpty() || (state.site && rows.length <= 1);
    rows.forEach(function (r) { body.appendChild(schoolRow(r, false)); });
    if (rows.length > 1) body.appendChild(schoolRow(state.data.district, true));
  }

  function renderError() {
    var banner = $('error-banner');
    banner.hidden = !state.error;
    banner.textContent = state.error ? R.errorText(state.error) : '';
  }

  function render() {
    R.renderStatic('report.title');
    renderFilters();
    renderError();
    renderTiles();
    renderEmpty();
    renderCharts();
    renderSchools();
  }

  function init() {
    readUrl();
    wireFilters();
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      render();
      CampusAuth.renderUser($('user-box'), state.me);
    });
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (id) { charts[id].chart.resize(); }); });
    render();
    CampusAuth.me().then(function (me) {
      if (!me) { state.error = { status: 0 }; render(); return; }
      state.me = me;
      CampusAuth.renderUser($('user-box'), me);
      R.schools(me).then(function (sites) {
        sites.forEach(function (s) { if (state.sites.indexOf(s) < 0) state.sites.push(s); });
        renderFilters();
      });
      load();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
