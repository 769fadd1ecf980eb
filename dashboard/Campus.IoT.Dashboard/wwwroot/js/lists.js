/*
 * Campus.IoT 三清单 (lists.html): 问题隐患清单, 整改措施清单 and 责任落实清单 as three tabs over the same hazards, with
 * filters (school, period, category, status, risk) kept in the address, row counts, overdue rows marked, and downloads
 * (one XLSX workbook, a CSV per list) that carry the filters. Reads GET /api/hazards/lists.
 * Plain script, no build step. Needs js/i18n.js, js/auth.js and js/reports-common.js.
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
      'lists.title': '三清单（问题隐患 · 整改措施 · 责任落实）',
      'lists.heading': '三清单',
      'lists.filter.from': '发现日期自',
      'lists.filter.to': '至',
      'lists.filter.category': '类别',
      'lists.filter.allCategories': '全部类别',
      'lists.filter.status': '状态',
      'lists.filter.allStatuses': '全部状态',
      'lists.filter.risk': '风险等级',
      'lists.filter.allRisks': '全部等级',
      'lists.filter.clear': '清除筛选',
      'lists.summary': '共 {n} 条隐患，逾期 {overdue} 条',
      'lists.download.xlsx': '下载 Excel（三张清单）',
      'lists.download.problems': '问题隐患清单 CSV',
      'lists.download.measures': '整改措施清单 CSV',
      'lists.download.responsibilities': '责任落实清单 CSV',
      'lists.note': '三张清单按学校、发现时间排序，序号一一对应。逾期：未销号且已过整改时限（学校所在时区）。',
      'lists.tab.problems': '问题隐患清单',
      'lists.tab.measures': '整改措施清单',
      'lists.tab.responsibilities': '责任落实清单',
      'lists.count': '{n} 条',
      'lists.empty': '没有符合条件的隐患',
      'lists.overdue': '逾期',
      'lists.col.no': '序号',
      'lists.col.school': '学校',
      'lists.col.location': '位置',
      'lists.col.category': '类别',
      'lists.col.description': '隐患描述',
      'lists.col.risk': '风险等级',
      'lists.col.source': '来源',
      'lists.col.foundAt': '发现时间',
      'lists.col.foundBy': '发现人',
      'lists.col.status': '状态',
      'lists.col.overdue': '是否逾期',
      'lists.col.measures': '整改措施',
      'lists.col.funds': '整改资金(元)',
      'lists.col.deadline': '整改时限',
      'lists.col.verification': '验收结果',
      'lists.col.verifiedOn': '验收日期',
      'lists.col.unit': '责任单位',
      'lists.col.person': '责任人',
      'lists.col.reinspector': '复查人'
    },
    en: {
      'lists.title': 'Three lists (hazards · measures · responsibilities)',
      'lists.heading': 'Three lists',
      'lists.filter.from': 'Found from',
      'lists.filter.to': 'to',
      'lists.filter.category': 'Category',
      'lists.filter.allCategories': 'All categories',
      'lists.filter.status': 'Status',
      'lists.filter.allStatuses': 'All statuses',
      'lists.filter.risk': 'Risk level',
      'lists.filter.allRisks': 'All levels',
      'lists.filter.clear': 'Clear filters',
      'lists.summary': '{n} hazards, {overdue} overdue',
      'lists.download.xlsx': 'Download Excel (all three lists)',
      'lists.download.problems': 'Hazards list CSV',
      'lists.download.measures': 'Measures list CSV',
      'lists.download.responsibilities': 'Responsibilities list CSV',
      'lists.note': 'The three lists are in the same order (by school, then found time); row numbers match. Overdue: not closed and past the deadline (the school\'s time zone). Files are in Chinese, as the district asks.',
      'lists.tab.problems': 'Hazards',
      'lists.tab.measures': 'Rectification measures',
      'lists.tab.responsibilities': 'Responsibilities',
      'lists.count': '{n}',
      'lists.empty': 'No hazards match the filters',
      'lists.overdue': 'Overdue',
      'lists.col.no': 'No.',
      'lists.col.school': 'School',
      'lists.col.location': 'Location',
      'lists.col.category': 'Category',
      'lists.col.description': 'Description',
      'lists.col.risk': 'Risk level',
      'lists.col.source': 'Source',
      'lists.col.foundAt': 'Found',
      'lists.col.foundBy': 'Found by',
      'lists.col.status': 'Status',
      'lists.col.overdue': 'Overdue',
      'lists.col.measures': 'Measures',
      'lists.col.funds': 'Funds (yuan)',
      'lists.col.deadline': 'Deadline',
      'lists.col.verification': 'Verification',
      'lists.col.verifiedOn': 'Verified on',
      'lists.col.unit': 'Responsible unit',
      'lists.col.person': 'Responsible person',
      'lists.col.reinspector': 'Re-inspector'
    }
  };
  Object.keys(TEXT).forEach(function (lang) { Object.assign(I18N.STRINGS[lang], TEXT[lang]); });

  var LISTS = ['problems', 'measures', 'responsibilities'];
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  var NUMERIC = { no: true, funds: true };

  var state = {
    filters: { site: '', from: '', to: '', category: '', status: '', risk: '' },
    tab: 'problems',
    me: null,
    sites: [],
    names: {},
    data: null,
    error: null,
    loading: false,
    request: 0
  };

  // ---- Filters and the address bar -----------------------------------------------
  function readUrl() {
    var q = new URLSearchParams(location.search);
    var f = state.filters;
    if (R.SITE_PATTERN.test(q.get('site') || '')) f.site = q.get('site');
    if (DATE.test(q.get('from') || '')) f.from = q.get('from');
    if (DATE.test(q.get('to') || '')) f.to = q.get('to');
    if (R.CATEGORIES.indexOf(q.get('category')) >= 0) f.category = q.get('category');
    if (R.STATUSES.indexOf(q.get('status')) >= 0) f.status = q.get('status');
    if (R.RISKS.indexOf(q.get('risk')) >= 0) f.risk = q.get('risk');
    if (LISTS.indexOf(q.get('list')) >= 0) state.tab = q.get('list');
  }

  function filterQuery() { return R.query(state.filters); }

  function writeUrl() {
    var q = R.query(Object.assign({}, state.filters, { list: state.tab === 'problems' ? '' : state.tab }));
    history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
  }

  function changed() { writeUrl(); renderDownloads(); load(); }

  function fillOptions(select, values, prefix) {
    values.forEach(function (v) { select.appendChild(new Option(t(prefix + v), v)); });
  }

  function wireFilters() {
    fillOptions($('category-filter'), R.CATEGORIES, 'hzr.category.');
    fillOptions($('status-filter'), R.STATUSES, 'hzr.status.');
    fillOptions($('risk-filter'), R.RISKS, 'hzr.risk.');
    [['site-filter', 'site'], ['from-filter', 'from'], ['to-filter', 'to'], ['category-filter', 'category'], ['status-filter', 'status'], ['risk-filter', 'risk']]
      .forEach(function (pair) {
        $(pair[0]).addEventListener('change', function () {
          var value = $(pair[0]).value;
          if ((pair[1] === 'from' || pair[1] === 'to') && value && !DATE.test(value)) return;
          state.filters[pair[1]] = value;
          changed();
        });
      });
    $('clear-filters').addEventListener('click', function () {
      state.filters = { site: '', from: '', to: '', category: '', status: '', risk: '' };
      renderFilters();
      changed();
    });
    $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); });
    document.querySelectorAll('[data-list]').forEach(function (b) {
      b.addEventListener('click', function () { state.tab = b.getAttribute('data-list'); writeUrl(); renderTabs(); renderTable(); });
      b.addEventListener('keydown', function (ev) {
        var i = LISTS.indexOf(b.getAttribute('data-list'));
        if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
          ev.preventDefault();
          state.tab = LISTS[(i + (ev.key === 'ArrowRight' ? 1 : LISTS.length - 1)) % LISTS.length];
          writeUrl(); renderTabs(); renderTable();
          $('tab-' + state.tab).focus();
        }
      });
    });
  }

  // ---- Data ---------------------------------------------------------------------------
  function load() {
    var id = ++state.request;
    state.loading = true;
    renderSummary();
    return R.getJson('/api/hazards/lists?' + filterQuery()).then(function (body) {
      if (id !== state.request) return;
      state.data = body;
      state.error = null;
      body.lists[0].rows.forEach(function (r) {
        if (state.sites.indexOf(r.site) < 0) state.sites.push(r.site);
        var school = r.cells[1];
        if (school && school !== r.site) state.names[r.site] = school;
      });
    }, function (err) {
      if (id !== state.request) return;
      state.error = err;
    }).then(function () {
      if (id !== state.request) return;
      state.loading = false;
      render();
    });
  }

  // ---- Rendering ----------------------------------------------------------------------------
  function renderFilters() {
    R.fillSites($('site-filter'), state.sites, state.names, state.filters.site);
    $('from-filter').value = state.filters.from;
    $('to-filter').value = state.filters.to;
    $('category-filter').value = state.filters.category;
    $('status-filter').value = state.filters.status;
    $('risk-filter').value = state.filters.risk;
    [['category-filter', 'hzr.category.'], ['status-filter', 'hzr.status.'], ['risk-filter', 'hzr.risk.']].forEach(function (pair) {
      Array.prototype.slice.call($(pair[0]).options, 1).forEach(function (o) { o.textContent = t(pair[1] + o.value); });
    });
  }

  function renderDownloads() {
    var q = filterQuery();
    $('download-xlsx').href = '/api/hazards/lists.xlsx' + (q ? '?' + q : '');
    LISTS.forEach(function (key) { $('download-' + key).href = '/api/hazards/lists/' + key + '.csv' + (q ? '?' + q : ''); });
  }

  function renderSummary() {
    var node = $('summary');
    if (state.loading && !state.data) { node.textContent = t('hzr.loading'); return; }
    node.textContent = state.data ? t('lists.summary', { n: state.data.count, overdue: state.data.overdue }) : '';
    node.classList.toggle('has-overdue', !!(state.data && state.data.overdue > 0));
  }

  function renderTabs() {
    LISTS.forEach(function (key, i) {
      var tab = $('tab-' + key);
      var selected = key === state.tab;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      var rows = state.data ? state.data.lists[i].rows.length : null;
      tab.querySelector('.tab-count').textContent = rows === null ? '' : t('lists.count', { n: rows });
    });
    $('table-panel').setAttribute('aria-labelledby', 'tab-' + state.tab);
  }

  /** A cell's text: the words of the current language for the coded columns, the server's text otherwise. */
  function cellText(column, value, row) {
    switch (column) {
      case 'category': return R.word('hzr.category.', row.category);
      case 'risk': return R.word('hzr.risk.', row.risk);
      case 'source': return R.word('hzr.source.', row.source);
      case 'status': return R.word('hzr.status.', row.status);
      case 'overdue': return t(row.overdue ? 'hzr.yes' : 'hzr.no');
      case 'verification': return row.verification === null || row.verification === undefined ? '' : t('hzr.verification.' + row.verification);
      case 'school': return state.names[row.site] || value;
      case 'funds': return value === null || value === undefined ? '' : Number(value).toFixed(2);
      default: return value === null || value === undefined ? '' : String(value);
    }
  }

  function renderTable() {
    var head = $('list-head');
    var body = $('list-body');
    head.textContent = '';
    body.textContent = '';
    var index = LISTS.indexOf(state.tab);
    var list = state.data ? state.data.lists[index] : null;
    var empty = $('list-empty');
    empty.hidden = !list || list.rows.length > 0;
    empty.textContent = t('lists.empty');
    if (!list) return;
    list.columns.forEach(function (c) {
      var th = el('th', NUMERIC[c] ? 'num' : 'col-' + c, t('lists.col.' + c));
      th.scope = 'col';
      head.appendChild(th);
    });
    list.rows.forEach(function (row) {
      var tr = el('tr', 'list-row risk-' + row.risk + (row.overdue ? ' overdue' : ''));
      tr.setAttribute('data-testid', 'list-row');
      tr.setAttribute('data-hazard-id', row.hazardId);
      tr.setAttribute('data-overdue', String(row.overdue));
      list.columns.forEach(function (c, i) {
        var td = el('td', (NUMERIC[c] ? 'num ' : '') + 'col-' + c);
        var text = cellText(c, row.cells[i], row);
        if (c === 'risk') {
          td.appendChild(el('span', 'risk-badge risk-' + row.risk, text));
        } else if (c === 'overdue' && row.overdue) {
          td.appendChild(el('span', 'overdue-badge', t('lists.overdue')));
        } else if (c === 'status') {
          td.appendChild(el('span', 'status-badge status-' + row.status, text));
        } else {
          td.textContent = text;
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function renderError() {
    var banner = $('error-banner');
    banner.hidden = !state.error;
    banner.textContent = state.error ? R.errorText(state.error) : '';
  }

  function render() {
    R.renderStatic('lists.title');
    renderFilters();
    renderDownloads();
    renderSummary();
    renderError();
    renderTabs();
    renderTable();
  }

  function init() {
    readUrl();
    wireFilters();
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      render();
      CampusAuth.renderUser($('user-box'), state.me);
    });
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
