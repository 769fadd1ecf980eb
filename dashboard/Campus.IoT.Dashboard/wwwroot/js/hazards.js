/*
 * Campus.IoT hazard registry (hazards.html): the list (台账) with filters, counts and sorting; the report and register
 * forms; one hazard (#id=N) with its fields, linked alarms, attachments, audit timeline, edit form and the actions the
 * user's role allows in its status. Plain script (no framework, no build step, no external URLs). Needs js/i18n.js and
 * js/auth.js. API: docs/hazards.md. Every refusal (problem+json) is shown in the page in words.
 *
 * All data from the server is put into the DOM with textContent / attributes only.
 */
(function () {
  'use strict';

  var el = window.CampusCommon.el;
  var pad2 = window.CampusCommon.pad2;
  var parseTime = window.CampusCommon.parseTime;
  var localDate = window.CampusCommon.localDate;

  var I18N = window.CampusI18n;
  var t = I18N.t;

  var TEXT = {
    'zh-CN': {
      'hz.title': '隐患排查治理台账',
      'hz.back': '← 返回报警监控台',
      'hz.nav': '隐患台账专页',
      'hz.reportButton': '上报隐患',
      'hz.registerButton': '登记隐患',
      'hz.status': '状态',
      'hz.category': '类别',
      'hz.risk': '风险等级',

      'count.open': '未销号',
      'count.overdue': '已逾期',
      'count.awaiting': '待验收',

      'filter.site': '学校',
      'filter.allSites': '全部学校',
      'filter.all': '全部',
      'filter.foundFrom': '发现日期从',
      'filter.foundTo': '至',
      'filter.q': '搜索（标题、描述、位置）',
      'filter.overdueOnly': '只看逾期',
      'filter.badPeriod': '结束日期须在开始日期之后',

      'list.heading': '隐患台账',
      'list.count': '共 {n} 条',
      'list.note': '点击一条隐患查看详情、整改记录和验收。点击表头排序。',
      'list.empty': '没有符合条件的隐患',
      'list.loading': '正在加载…',
      'list.more': '只显示最新的 {n} 条；请用筛选条件缩小范围。',
      'col.id': '编号',
      'col.foundAt': '发现时间',
      'col.site': '学校',
      'col.title': '隐患 / 位置',
      'col.category': '类别',
      'col.risk': '风险等级',
      'col.status': '状态',
      'col.deadline': '整改时限',
      'col.responsible': '责任人',
      'sort.asc': '（升序）',
      'sort.desc': '（降序）',
      'badge.overdue': '已逾期',
      'deadline.none': '未定',

      'category.fire': '消防安全',
      'category.food_safety': '食品安全',
      'category.lab_chemicals': '实验室及危险化学品',
      'category.traffic': '校车及交通安全',
      'category.buildings': '校舍建筑',
      'category.facilities': '设施设备',
      'category.other': '其他',
      'risk.major': '重大',
      'risk.significant': '较大',
      'risk.general': '一般',
      'risk.low': '低',
      'hzstatus.registered': '已登记',
      'hzstatus.rectifying': '整改中',
      'hzstatus.awaiting_verification': '待验收',
      'hzstatus.closed': '已销号',
      'source.alarm': '报警',
      'source.inspection': '排查',
      'source.report': '上报',

      'field.id': '编号',
      'field.site': '学校',
      'field.location': '位置',
      'field.device': '设备',
      'field.category': '类别',
      'field.source': '来源',
      'field.title': '隐患名称',
      'field.description': '隐患描述',
      'field.risk': '风险等级',
      'field.status': '状态',
      'field.overdue': '是否逾期',
      'field.foundAt': '发现时间',
      'field.foundBy': '发现人',
      'field.measures': '整改措施',
      'field.funds': '整改资金（元）',
      'field.responsibleUnit': '责任单位',
      'field.responsiblePerson': '责任人',
      'field.deadline': '整改时限',
      'field.reinspector': '复查人',
      'field.verificationPassed': '验收结果',
      'field.verifiedAt': '验收时间',
      'field.verificationNote': '验收说明',
      'field.createdAt': '登记时间',
      'field.updatedAt': '最后修改',
      'field.closedAt': '销号时间',
      'field.version': '版本',
      'field.photo': '照片（可选）',
      'field.attachment': '附件',
      'field.alarm': '报警 {id}',
      'value.yes': '是',
      'value.no': '否',
      'value.passed': '通过',
      'value.failed': '不通过',
      'value.active': '报警中',
      'value.cleared': '已恢复',
      'value.empty': '（空）',
      'value.choose': '请选择',

      'create.reportTitle': '上报隐患',
      'create.registerTitle': '登记隐患',
      'create.reportNote': '请写清楚在哪里、看到了什么。安全员收到后会登记整改。',
      'create.registerNote': '登记后按“整改 → 验收 → 销号”处理。开始整改前须填写整改措施、责任人和整改时限。',
      'create.reportSubmit': '上报',
      'create.registerSubmit': '登记',
      'create.required': '请填写：{fields}',
      'create.done': '已登记隐患 #{id}',
      'create.photoFailed': '隐患 #{id} 已登记，但照片上传失败：{detail}',
      'form.cancel': '取消',
      'form.close': '关闭',
      'form.saving': '正在保存…',

      'detail.back': '← 返回台账',
      'detail.reload': '重新加载',
      'detail.actions': '处理',
      'detail.facts': '隐患信息',
      'detail.alarms': '关联报警',
      'detail.attachments': '照片与附件',
      'detail.timeline': '处理记录（时间线）',
      'detail.loading': '正在加载…',
      'detail.noAlarms': '没有关联的报警',
      'detail.noAttachments': '没有照片或附件',
      'detail.readOnly': '您可以查看这条隐患；登记整改、验收由本校安全员处理。',
      'detail.closed': '本隐患已销号，不能再修改。',
      'detail.saved': '已保存',
      'detail.done': '已完成：{action}',
      'detail.uploaded': '已上传：{name}',

      'action.edit': '修改信息',
      'action.start': '开始整改',
      'action.submit': '提交验收',
      'action.verify': '验收通过',
      'action.reject': '验收不通过',
      'transition.note': '说明',
      'transition.noteRequired': '说明（必填：为什么不通过）',
      'transition.hint.start': '确认已落实整改措施、责任人和时限，开始整改。',
      'transition.hint.submit': '整改完成，提交给复查人验收。可写明完成情况。',
      'transition.hint.verify': '复查合格，隐患销号。须填写复查人。',
      'transition.hint.reject': '复查不合格，退回整改。须说明原因。',
      'transition.needReinspector': '请填写复查人',
      'transition.needNote': '请说明验收不通过的原因',
      'start.needFields': '开始整改前须填写：{fields}。请先补全下面的信息，保存后将自动开始整改。',
      'start.saveAndStart': '保存并开始整改',

      'edit.heading': '修改隐患信息',
      'edit.note': '修改说明（可选）',
      'edit.save': '保存',
      'edit.nothing': '没有修改任何内容',

      'upload.label': '添加照片或文件（JPEG、PNG、WebP、PDF、XLSX）',
      'upload.submit': '上传',
      'upload.choose': '请先选择文件',
      'attachment.download': '下载',

      'alarm.raisedAt': '报警时间',
      'alarm.rule': '报警类型',
      'alarm.device': '设备',
      'alarm.severity': '级别',
      'alarm.active': '状态',
      'alarm.open': '在报警历史中查看 ›',

      'audit.create': '登记',
      'audit.update': '修改',
      'audit.start': '开始整改',
      'audit.submit': '提交验收',
      'audit.verify': '验收通过',
      'audit.reject': '验收不通过',
      'audit.attach': '添加附件',
      'audit.detach': '删除附件',
      'audit.alarm_linked': '关联报警',
      'audit.alarm_cleared': '报警已恢复',
      'audit.alarm_active': '报警再次触发',
      'audit.feed': '报警系统',
      'audit.noteLabel': '说明：',

      'error.http': '操作未完成（{status}）：{detail}',
      'error.httpNoDetail': '操作未完成（{status}）',
      'error.network': '无法连接服务器，请检查网络后重试',
      'error.load': '无法读取隐患台账（{status}）{detail}',
      'error.conflict': '别人刚刚修改了这条隐患，您看到的不是最新内容，修改没有保存。请点“重新加载”查看最新内容后再修改。',
      'error.notFound': '找不到隐患 #{id}（可能已被删除，或不属于您的学校）',
      'error.forbidden': '您没有权限执行这个操作：{detail}'
    },
    en: {
      'hz.title': 'Hazard register',
      'hz.back': '← Back to the alarm board',
      'hz.nav': 'Hazard register pages',
      'hz.reportButton': 'Report a hazard',
      'hz.registerButton': 'Register a hazard',
      'hz.status': 'Status',
      'hz.category': 'Category',
      'hz.risk': 'Risk level',

      'count.open': 'Open',
      'count.overdue': 'Overdue',
      'count.awaiting': 'Awaiting verification',

      'filter.site': 'School',
      'filter.allSites': 'All schools',
      'filter.all': 'All',
      'filter.foundFrom': 'Found from',
      'filter.foundTo': 'to',
      'filter.q': 'Search (title, description, location)',
      'filter.overdueOnly': 'Overdue only',
      'filter.badPeriod': 'The end date must be after the start date',

      'list.heading': 'Hazards',
      'list.count': '{n} in all',
      'list.note': 'Click a hazard for its details, rectification record and verification. Click a column heading to sort.',
      'list.empty': 'No hazards match',
      'list.loading': 'Loading…',
      'list.more': 'Only the newest {n} are shown: narrow the filters.',
      'col.id': 'No.',
      'col.foundAt': 'Found',
      'col.site': 'School',
      'col.title': 'Hazard / location',
      'col.category': 'Category',
      'col.risk': 'Risk',
      'col.status': 'Status',
      'col.deadline': 'Deadline',
      'col.responsible': 'Responsible',
      'sort.asc': ' (ascending)',
      'sort.desc': ' (descending)',
      'badge.overdue': 'Overdue',
      'deadline.none': 'Not set',

      'category.fire': 'Fire safety',
      'category.food_safety': 'Food safety',
      'category.lab_chemicals': 'Labs & hazardous chemicals',
      'category.traffic': 'School bus & traffic',
      'category.buildings': 'School buildings',
      'category.facilities': 'Facilities & equipment',
      'category.other': 'Other',
      'risk.major': 'Major',
      'risk.significant': 'Significant',
      'risk.general': 'General',
      'risk.low': 'Low',
      'hzstatus.registered': 'Registered',
      'hzstatus.rectifying': 'Rectifying',
      'hzstatus.awaiting_verification': 'Awaiting verification',
      'hzstatus.closed': 'Closed',
      'source.alarm': 'Alarm',
      'source.inspection': 'Inspection',
      'source.report': 'Report',

      'field.id': 'No.',
      'field.site': 'School',
      'field.location': 'Location',
      'field.device': 'Device',
      'field.category': 'Category',
      'field.source': 'Source',
      'field.title': 'Title',
      'field.description': 'Description',
      'field.risk': 'Risk level',
      'field.status': 'Status',
      'field.overdue': 'Overdue',
      'field.foundAt': 'Found at',
      'field.foundBy': 'Found by',
      'field.measures': 'Measures',
      'field.funds': 'Funds (yuan)',
      'field.responsibleUnit': 'Responsible unit',
      'field.responsiblePerson': 'Responsible person',
      'field.deadline': 'Deadline',
      'field.reinspector': 'Reinspector',
      'field.verificationPassed': 'Verification',
      'field.verifiedAt': 'Verified at',
      'field.verificationNote': 'Verification note',
      'field.createdAt': 'Registered at',
      'field.updatedAt': 'Last changed',
      'field.closedAt': 'Closed at',
      'field.version': 'Version',
      'field.photo': 'Photo (optional)',
      'field.attachment': 'Attachment',
      'field.alarm': 'Alarm {id}',
      'value.yes': 'Yes',
      'value.no': 'No',
      'value.passed': 'Passed',
      'value.failed': 'Failed',
      'value.active': 'Active',
      'value.cleared': 'Cleared',
      'value.empty': '(empty)',
      'value.choose': 'Choose',

      'create.reportTitle': 'Report a hazard',
      'create.registerTitle': 'Register a hazard',
      'create.reportNote': 'Say where it is and what you saw. The safety officer registers the rectification.',
      'create.registerNote': 'Then: rectify → verify → close. Starting rectification needs measures, a responsible person and a deadline.',
      'create.reportSubmit': 'Report',
      'create.registerSubmit': 'Register',
      'create.required': 'Please fill in: {fields}',
      'create.done': 'Hazard #{id} registered',
      'create.photoFailed': 'Hazard #{id} is registered, but the photo upload failed: {detail}',
      'form.cancel': 'Cancel',
      'form.close': 'Close',
      'form.saving': 'Saving…',

      'detail.back': '← Back to the register',
      'detail.reload': 'Reload',
      'detail.actions': 'Actions',
      'detail.facts': 'Details',
      'detail.alarms': 'Linked alarms',
      'detail.attachments': 'Photos and files',
      'detail.timeline': 'Record (timeline)',
      'detail.loading': 'Loading…',
      'detail.noAlarms': 'No linked alarms',
      'detail.noAttachments': 'No photos or files',
      'detail.readOnly': 'You can read this hazard; the school\'s safety officer handles rectification and verification.',
      'detail.closed': 'This hazard is closed and can no longer be changed.',
      'detail.saved': 'Saved',
      'detail.done': 'Done: {action}',
      'detail.uploaded': 'Uploaded: {name}',

      'action.edit': 'Edit',
      'action.start': 'Start rectification',
      'action.submit': 'Submit for verification',
      'action.verify': 'Verify: passed',
      'action.reject': 'Verify: failed',
      'transition.note': 'Note',
      'transition.noteRequired': 'Note (required: why it failed)',
      'transition.hint.start': 'Measures, responsible person and deadline are set: start the rectification.',
      'transition.hint.submit': 'The rectification is done: submit it for verification. Say what was done.',
      'transition.hint.verify': 'The reinspection passed: the hazard is closed. The reinspector is required.',
      'transition.hint.reject': 'The reinspection failed: back to rectification. Say why.',
      'transition.needReinspector': 'Enter the reinspector',
      'transition.needNote': 'Say why the verification failed',
      'start.needFields': 'Before starting rectification, set: {fields}. Fill them in below; saving starts the rectification.',
      'start.saveAndStart': 'Save and start rectification',

      'edit.heading': 'Edit the hazard',
      'edit.note': 'Reason for the change (optional)',
      'edit.save': 'Save',
      'edit.nothing': 'Nothing was changed',

      'upload.label': 'Add a photo or file (JPEG, PNG, WebP, PDF, XLSX)',
      'upload.submit': 'Upload',
      'upload.choose': 'Choose a file first',
      'attachment.download': 'Download',

      'alarm.raisedAt': 'Raised',
      'alarm.rule': 'Alarm',
      'alarm.device': 'Device',
      'alarm.severity': 'Severity',
      'alarm.active': 'State',
      'alarm.open': 'Open in the alarm history ›',

      'audit.create': 'Registered',
      'audit.update': 'Edited',
      'audit.start': 'Rectification started',
      'audit.submit': 'Submitted for verification',
      'audit.verify': 'Verified: passed',
      'audit.reject': 'Verified: failed',
      'audit.attach': 'File added',
      'audit.detach': 'File removed',
      'audit.alarm_linked': 'Alarm linked',
      'audit.alarm_cleared': 'Alarm cleared',
      'audit.alarm_active': 'Alarm active again',
      'audit.feed': 'Alarm system',
      'audit.noteLabel': 'Note: ',

      'error.http': 'Not done ({status}): {detail}',
      'error.httpNoDetail': 'Not done ({status})',
      'error.network': 'Cannot reach the server: check the network and try again',
      'error.load': 'Could not load the hazards ({status}){detail}',
      'error.conflict': 'Someone else changed this hazard meanwhile: what you see is out of date and your change was not saved. Press “Reload” to see the latest, then change it again.',
      'error.notFound': 'No hazard #{id} (removed, or not one of your schools\')',
      'error.forbidden': 'You may not do this: {detail}'
    }
  };
  Object.keys(TEXT).forEach(function (lang) { Object.assign(I18N.STRINGS[lang], TEXT[lang]); });

  var CATEGORIES = ['fire', 'food_safety', 'lab_chemicals', 'traffic', 'buildings', 'facilities', 'other'];
  var RISKS = ['major', 'significant', 'general', 'low'];
  var STATUSES = ['registered', 'rectifying', 'awaiting_verification', 'closed'];
  var RISK_ORDER = { major: 3, significant: 2, general: 1, low: 0 };   // sorted descending: the most severe first
  var STATUS_ORDER = { registered: 0, rectifying: 1, awaiting_verification: 2, closed: 3 };
  var SITE_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
  var LIMIT = 500;
  var REFRESH_MS = 60000;
  var JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' };

  // The form fields: [name, kind, options]; 'manage' fields only for safety officers and district admins.
  var REPORT_FIELDS = [
    ['site', 'site', { required: true }],
    ['category', 'category', { required: true }],
    ['risk', 'risk', { required: true }],
    ['location', 'text', { max: 200, wide: true }],
    ['title', 'text', { required: true, max: 200, wide: true }],
    ['description', 'textarea', { required: true, wide: true }],
    ['photo', 'file', { wide: true }]
  ];
  var MANAGE_FIELDS = [
    ['source', 'source', {}],
    ['measures', 'textarea', { wide: true }],
    ['funds', 'number', {}],
    ['responsibleUnit', 'text', { max: 100 }],
    ['responsiblePerson', 'text', { max: 100 }],
    ['deadline', 'date', {}],
    ['reinspector', 'text', { max: 100 }]
  ];
  var EDIT_FIELDS = [
    ['location', 'text', { max: 200 }],
    ['category', 'category', {}],
    ['risk', 'risk', {}],
    ['title', 'text', { max: 200, wide: true }],
    ['description', 'textarea', { wide: true }],
    ['measures', 'textarea', { wide: true }],
    ['funds', 'number', {}],
    ['responsibleUnit', 'text', { max: 100 }],
    ['responsiblePerson', 'text', { max: 100 }],
    ['deadline', 'date', {}],
    ['reinspector', 'text', { max: 100 }]
  ];

  var state = {
    me: null,
    sites: [],            // schools the user may choose
    filters: { site: '', status: '', category: '', risk: '', overdue: false, from: '', to: '', q: '' },
    sort: { key: 'foundAt', dir: -1 },
    list: null,           // GET /api/hazards (filtered)
    all: null,            // GET /api/hazards?site= (for the counts)
    request: 0,
    loading: false,
    error: null,          // the list's load error
    detailId: null,
    detail: null,         // GET /api/hazards/{id}
    detailError: null,    // { id, err } or { id, key, params }: put into words when shown (the language may change)
    notice: null,         // { id, key, params }
    editMode: null,       // null | 'edit' | 'start'
    createMode: null,     // 'report' | 'register'
    transition: null      // the action in the transition dialog
  };

  // ---- Small helpers -----------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function testid(node, id) { node.setAttribute('data-testid', id); return node; }

  function localMinute(s) {
    var ms = parseTime(s);
    if (ms === null) return '—';
    var d = new Date(ms);
    return localDate(ms) + ' ' + pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }

  function known(prefix, value, fallback) {
    if (value && I18N.has(prefix + value)) return t(prefix + value);
    return fallback || value || '—';
  }

  function english() { return I18N.getLang() === 'en'; }

  /** The server's bilingual "中文 / English" reasons: the half in the page's language. */
  function inLanguage(detail) {
    if (!detail) return '';
    var at = detail.indexOf(' / ');
    if (at < 0 || !/[\u4e00-\u9fff]/.test(detail.slice(0, at))) return detail;
    return english() ? detail.slice(at + 3) : detail.slice(0, at);
  }

  function canManage(site) {
    var me = state.me;
    if (!me || (me.role !== 'safety_officer' && me.role !== 'district_admin')) return false;
    return me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0 || (me.sites || []).indexOf(site) >= 0;
  }

  function managesAny() {
    var me = state.me;
    return !!me && (me.role === 'safety_officer' || me.role === 'district_admin');
  }

  function seesAll(me) { return !!me && (me.role === 'district_admin' || (me.sites || []).indexOf('*') >= 0); }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) q.set(k, params[k]); });
    return q.toString();
  }

  // ---- Talking to the server -------------------------------------------------
  /** Rejects with { status, detail, title } (401 goes to the sign-in page); status 0 when the server cannot be reached. */
  function send(url, options) {
    options = options || {};
    return fetch(url, Object.assign({ cache: 'no-store' }, options))
      .then(function (res) {
        if (res.status === 401) { CampusAuth.toLogin(); throw { status: 401, detail: '' }; }
        return res.json().catch(function () { return null; }).then(function (body) {
          if (res.ok) return body;
          throw { status: res.status, detail: body && (body.detail || body.title) || '', title: body && body.title || '' };
        });
      }, function () { throw { status: 0, detail: '' }; });
  }

  function getJson(url) { return send(url, { headers: { Accept: 'application/json, application/problem+json' } }); }

  function sendJson(method, url, body) {
    return CampusAuth.csrfHeaders(JSON_HEADERS).then(function (headers) {
      return send(url, { method: method, headers: headers, body: JSON.stringify(body) });
    }, function () { throw { status: 0, detail: '' }; });
  }

  function upload(id, file) {
    var form = new FormData();
    form.append('file', file, file.name);
    return CampusAuth.csrfHeaders({ Accept: 'application/json, application/problem+json' }).then(function (headers) {
      return send('/api/hazards/' + encodeURIComponent(id) + '/attachments', { method: 'POST', headers: headers, body: form });
    }, function () { throw { status: 0, detail: '' }; });
  }

  function isConflict(err) { return err && err.status === 409 && /已被他人修改|changed meanwhile/.test(err.detail || ''); }

  /** A refusal in words: the server's reason in the page's language, with the status. */
  function errorText(err) {
    if (!err || err.status === 0) return t('error.network');
    if (isConflict(err)) return t('error.conflict');
    var detail = inLanguage(err.detail);
    if (err.status === 403) return t('error.forbidden', { detail: detail });
    return detail ? t('error.http', { status: err.status, detail: detail }) : t('error.httpNoDetail', { status: err.status });
  }

  /** A notice or error for the hazard on show, in words only when rendered. */
  function message(key, params, id) { return { id: id === undefined ? state.detailId : id, key: key, params: params }; }

  function failure(err, id) { return { id: id === undefined ? state.detailId : id, err: err || { status: 0, detail: '' } }; }

  // ---- The list --------------------------------------------------------------
  function fromIso(date, plusDays) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
    if (!m) return '';
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (plusDays || 0)).toISOString();
  }

  function loadList() {
    var id = ++state.request;
    var f = state.filters;
    state.loading = true;
    if (f.from && f.to && f.to < f.from) {
      state.loading = false;
      state.error = { status: 400, detail: t('filter.badPeriod') };
      renderList();
      return Promise.resolve();
    }
    var listUrl = '/api/hazards?' + query({
      site: f.site, status: f.status, category: f.category, risk: f.risk, overdue: f.overdue ? 'true' : '',
      from: fromIso(f.from), to: fromIso(f.to, 1), q: f.q.trim(), limit: String(LIMIT)
    });
    var countUrl = '/api/hazards?' + query({ site: f.site, limit: '1000' });
    return Promise.all([getJson(listUrl), getJson(countUrl)]).then(function (answers) {
      if (id !== state.request) return;
      state.list = answers[0];
      state.all = answers[1];
      state.error = null;
      rememberSites(state.all);
    }, function (err) {
      if (id !== state.request) return;
      state.error = err;
    }).then(function () {
      if (id !== state.request) return;
      state.loading = false;
      renderList();
    });
  }

  function rememberSites(items) {
    if (!seesAll(state.me)) return;
    (items || []).forEach(function (h) { if (state.sites.indexOf(h.site) < 0) state.sites.push(h.site); });
    state.sites.sort();
  }

  function loadSites() {
    if (!seesAll(state.me)) {
      state.sites = (state.me.sites || []).filter(function (s) { return SITE_RE.test(s); }).sort();
      return Promise.resolve();
    }
    return getJson('/api/sites').then(function (body) {
      (body && body.sites || []).forEach(function (s) { if (state.sites.indexOf(s.site) < 0) state.sites.push(s.site); });
      state.sites.sort();
    }, function () { /* the list still names the schools it shows */ });
  }

  function sortValue(h, key) {
    switch (key) {
      case 'id': return h.id;
      case 'foundAt': return parseTime(h.foundAt) || 0;
      case 'risk': return RISK_ORDER[h.risk];
      case 'status': return STATUS_ORDER[h.status];
      case 'category': return known('category.', h.category, h.categoryLabel);
      case 'deadline': return h.deadline || '9999-99-99';
      default: return (h[key] || '').toString();
    }
  }

  function sorted(items) {
    var key = state.sort.key;
    var dir = state.sort.dir;
    return items.slice().sort(function (a, b) {
      var x = sortValue(a, key);
      var y = sortValue(b, key);
      var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), I18N.getLang());
      return c !== 0 ? c * dir : (b.id - a.id);
    });
  }

  function riskBadge(h) {
    return testid(el('span', 'badge risk risk-' + h.risk, known('risk.', h.risk, h.riskLabel)), 'risk-badge');
  }

  function statusBadge(h) {
    var b = el('span', 'badge hz-status hz-status-' + h.status, known('hzstatus.', h.status, h.statusLabel));
    b.setAttribute('data-status', h.status);
    return testid(b, 'status-badge');
  }

  function overdueBadge() { return testid(el('span', 'badge hz-overdue', t('badge.overdue')), 'overdue-badge'); }

  function renderCounts() {
    var all = state.all || [];
    var open = all.filter(function (h) { return h.status !== 'closed'; }).length;
    var overdue = all.filter(function (h) { return h.overdue; }).length;
    var awaiting = all.filter(function (h) { return h.status === 'awaiting_verification'; }).length;
    $('count-open').textContent = state.all ? open : '–';
    $('count-overdue').textContent = state.all ? overdue : '–';
    $('count-awaiting').textContent = state.all ? awaiting : '–';
    $('count-overdue').parentNode.classList.toggle('has-some', overdue > 0);
    $('count-awaiting').parentNode.classList.toggle('has-some', awaiting > 0);
  }

  function renderList() {
    renderCounts();
    renderError();
    var body = $('hazard-body');
    body.textContent = '';
    var items = state.list ? sorted(state.list) : [];
    items.forEach(function (h) {
      var tr = el('tr', 'hz-row risk-row-' + h.risk + (h.overdue ? ' is-overdue' : ''));
      testid(tr, 'hazard-row');
      tr.setAttribute('data-id', h.id);
      tr.setAttribute('data-status', h.status);
      tr.tabIndex = 0;
      tr.appendChild(el('td', 'num hz-id', '#' + h.id));
      tr.appendChild(el('td', 'hz-when', localMinute(h.foundAt)));
      tr.appendChild(el('td', 'site', h.site));
      var what = el('td', 'what');
      var link = el('a', 'hz-title', h.title);
      link.href = '#id=' + h.id;
      testid(link, 'hazard-link');
      what.appendChild(link);
      if (h.location || h.device) what.appendChild(el('div', 'what-place', [h.location, h.device].filter(Boolean).join(' · ')));
      tr.appendChild(what);
      tr.appendChild(el('td', 'hz-cat', known('category.', h.category, h.categoryLabel)));
      var risk = el('td');
      risk.appendChild(riskBadge(h));
      tr.appendChild(risk);
      var st = el('td', 'sev-state');
      st.appendChild(statusBadge(h));
      if (h.overdue) st.appendChild(overdueBadge());
      tr.appendChild(st);
      tr.appendChild(el('td', 'hz-deadline' + (h.overdue ? ' late' : ''), h.deadline || t('deadline.none')));
      tr.appendChild(el('td', 'hz-person', h.responsiblePerson || '—'));
      tr.addEventListener('click', function (ev) {
        if (ev.target.tagName === 'A') return;
        location.hash = 'id=' + h.id;
      });
      tr.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') location.hash = 'id=' + h.id; });
      body.appendChild(tr);
    });
    $('list-count').textContent = state.list ? t('list.count', { n: items.length }) : '';
    var empty = $('list-empty');
    empty.hidden = items.length > 0 || (!state.list && !state.loading);
    empty.textContent = state.list ? t('list.empty') : t('list.loading');
    var more = $('more-note');
    more.hidden = !state.list || state.list.length < LIMIT;
    more.textContent = t('list.more', { n: LIMIT });
    document.querySelectorAll('button.sort').forEach(function (b) {
      var key = b.getAttribute('data-sort');
      var th = b.parentNode;
      if (key === state.sort.key) th.setAttribute('aria-sort', state.sort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      b.setAttribute('data-dir', key === state.sort.key ? (state.sort.dir > 0 ? 'asc' : 'desc') : '');
    });
  }

  function renderError() {
    var banner = $('error-banner');
    if (!state.error) { banner.hidden = true; return; }
    banner.hidden = false;
    var detail = inLanguage(state.error.detail);
    banner.textContent = state.error.status === 0 ? t('error.network')
      : t('error.load', { status: state.error.status, detail: detail ? (english() ? ': ' : '：') + detail : '' });
  }

  // ---- Filters and the address -------------------------------------------------
  function readUrl() {
    var q = new URLSearchParams(location.search);
    var f = state.filters;
    if (SITE_RE.test(q.get('site') || '')) f.site = q.get('site');
    if (STATUSES.indexOf(q.get('status')) >= 0) f.status = q.get('status');
    if (CATEGORIES.indexOf(q.get('category')) >= 0) f.category = q.get('category');
    if (RISKS.indexOf(q.get('risk')) >= 0) f.risk = q.get('risk');
    f.overdue = q.get('overdue') === 'true';
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.get('from') || '')) f.from = q.get('from');
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.get('to') || '')) f.to = q.get('to');
    f.q = (q.get('q') || '').slice(0, 100);
  }

  function writeUrl() {
    var f = state.filters;
    var q = query({ site: f.site, status: f.status, category: f.category, risk: f.risk, overdue: f.overdue ? 'true' : '', from: f.from, to: f.to, q: f.q });
    history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
  }

  function fillSelect(select, values, prefix, keepFirst) {
    var current = select.value;
    while (select.options.length > (keepFirst ? 1 : 0)) select.remove(select.options.length - 1);
    values.forEach(function (v) { select.appendChild(new Option(prefix ? known(prefix, v) : v, v)); });
    select.value = current;
  }

  function renderFilters() {
    var f = state.filters;
    var sites = state.sites.slice();
    if (f.site && sites.indexOf(f.site) < 0) sites.push(f.site);
    fillSelect($('site-filter'), sites, null, true);
    fillSelect($('status-filter'), STATUSES, 'hzstatus.', true);
    fillSelect($('category-filter'), CATEGORIES, 'category.', true);
    fillSelect($('risk-filter'), RISKS, 'risk.', true);
    $('site-filter').value = f.site;
    $('status-filter').value = f.status;
    $('category-filter').value = f.category;
    $('risk-filter').value = f.risk;
    $('overdue-filter').checked = f.overdue;
    $('from-filter').value = f.from;
    $('to-filter').value = f.to;
    if (document.activeElement !== $('q-filter')) $('q-filter').value = f.q;
  }

  function wireFilters() {
    var f = state.filters;
    function changed() { writeUrl(); loadList(); }
    [['site-filter', 'site'], ['status-filter', 'status'], ['category-filter', 'category'], ['risk-filter', 'risk'], ['from-filter', 'from'], ['to-filter', 'to']]
      .forEach(function (p) { $(p[0]).addEventListener('change', function () { f[p[1]] = $(p[0]).value; changed(); }); });
    $('overdue-filter').addEventListener('change', function () { f.overdue = $('overdue-filter').checked; changed(); });
    var timer = null;
    $('q-filter').addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { f.q = $('q-filter').value; changed(); }, 300);
    });
    $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); clearTimeout(timer); f.q = $('q-filter').value; changed(); });
    document.querySelectorAll('button.sort').forEach(function (b) {
      b.addEventListener('click', function () {
        var key = b.getAttribute('data-sort');
        if (state.sort.key === key) state.sort.dir = -state.sort.dir;
        else state.sort = { key: key, dir: key === 'foundAt' || key === 'id' || key === 'risk' ? -1 : 1 };
        renderList();
      });
    });
  }

  // ---- Forms (built from the field lists) ---------------------------------------
  function input(name, kind, opts, value) {
    var node;
    if (kind === 'textarea') {
      node = el('textarea');
      node.rows = 3;
    } else if (kind === 'site' || kind === 'category' || kind === 'risk' || kind === 'source') {
      node = el('select');
      var values = kind === 'site' ? state.sites : kind === 'category' ? CATEGORIES : kind === 'risk' ? RISKS : ['inspection', 'report'];
      if (kind !== 'source') node.appendChild(new Option(t('value.choose'), ''));
      values.forEach(function (v) { node.appendChild(new Option(kind === 'site' ? v : known((kind === 'source' ? 'source' : kind) + '.', v), v)); });
    } else {
      node = el('input');
      node.type = kind === 'date' ? 'date' : kind === 'number' ? 'number' : kind === 'file' ? 'file' : 'text';
      if (kind === 'number') { node.min = '0'; node.step = '0.01'; }
      if (kind === 'file') node.accept = 'image/jpeg,image/png,image/webp';
    }
    node.name = name;
    if (opts.max) node.maxLength = opts.max;
    if (opts.required) node.required = true;
    if (value !== undefined && value !== null && kind !== 'file') node.value = String(value);
    testid(node, 'field-' + name);
    var label = el('label', 'hz-field' + (opts.wide ? ' hz-wide' : ''));
    label.appendChild(el('span', null, (kind === 'file' ? t('field.photo') : t('field.' + name)) + (opts.required ? ' *' : '')));
    label.appendChild(node);
    return label;
  }

  function buildFields(container, fields, values) {
    container.textContent = '';
    fields.forEach(function (f) { container.appendChild(input(f[0], f[1], f[2], values ? values[f[0]] : undefined)); });
  }

  function showError(node, text) {
    node.hidden = !text;
    node.textContent = text || '';
  }

  /** Opens the report (or register) form; keep: what was typed and the chosen photo, when only the language changed. */
  function openCreate(mode, keep) {
    state.createMode = mode;
    var manage = mode === 'register';
    $('create-title').textContent = t(manage ? 'create.registerTitle' : 'create.reportTitle');
    $('create-note').textContent = t(manage ? 'create.registerNote' : 'create.reportNote');
    $('create-submit').textContent = t(manage ? 'create.registerSubmit' : 'create.reportSubmit');
    $('create-submit').disabled = false;
    // A register form: the reporter's fields with the source after the risk, then the manager's, the photo last.
    var fields = manage ? REPORT_FIELDS.slice(0, 3).concat([MANAGE_FIELDS[0]], REPORT_FIELDS.slice(3, 6), MANAGE_FIELDS.slice(1), [REPORT_FIELDS[6]]) : REPORT_FIELDS;
    var defaults = keep ? keep.values : { site: state.filters.site || (state.sites.length === 1 ? state.sites[0] : ''), source: 'inspection' };
    buildFields($('create-fields'), fields, defaults);
    if (keep && keep.file) {
      var fresh = $('create-fields').querySelector('input[type=file]');
      fresh.parentNode.replaceChild(keep.file, fresh);
    }
    if (manage) {
      // Only the schools this user manages.
      var select = $('create-fields').querySelector('select[name=site]');
      Array.prototype.slice.call(select.options, 1).forEach(function (o) { if (!canManage(o.value)) select.removeChild(o); });
    }
    showError($('create-error'), '');
    if (!$('create-dialog').open) $('create-dialog').showModal();
  }

  function closeCreate() { $('create-dialog').close(); state.createMode = null; }

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (node) {
      if (!node.name || node.type === 'file') return;
      values[node.name] = node.value.trim();
    });
    return values;
  }

  function missing(values, fields) {
    return fields.filter(function (f) { return f[2].required && !values[f[0]]; }).map(function (f) { return t('field.' + f[0]); });
  }

  function submitCreate(ev) {
    ev.preventDefault();
    var form = $('create-form');
    var manage = state.createMode === 'register';
    var values = formValues(form);
    var lacking = missing(values, REPORT_FIELDS);
    if (lacking.length) { showError($('create-error'), t('create.required', { fields: lacking.join(english() ? ', ' : '、') })); return; }
    var body = { site: values.site, category: values.category, risk: values.risk, title: values.title, description: values.description, source: manage ? values.source : 'report' };
    if (values.location) body.location = values.location;
    if (manage) {
      ['measures', 'responsibleUnit', 'responsiblePerson', 'deadline', 'reinspector'].forEach(function (k) { if (values[k]) body[k] = values[k]; });
      if (values.funds) body.funds = Number(values.funds);
    }
    var photo = form.querySelector('input[type=file]').files[0];
    $('create-submit').disabled = true;
    $('create-submit').textContent = t('form.saving');
    showError($('create-error'), '');
    sendJson('POST', '/api/hazards', body).then(function (created) {
      var after = photo ? upload(created.id, photo).then(function () { return null; }, function (err) {
        return message('create.photoFailed', { id: created.id, detail: errorText(err) }, created.id);
      }) : Promise.resolve(null);
      return after.then(function (photoError) {
        closeCreate();
        state.notice = photoError ? null : message('create.done', { id: created.id }, created.id);
        state.detailError = photoError;
        loadList();
        location.hash = 'id=' + created.id;
      });
    }, function (err) {
      $('create-submit').disabled = false;
      $('create-submit').textContent = t(manage ? 'create.registerSubmit' : 'create.reportSubmit');
      showError($('create-error'), errorText(err));
    });
  }

  function wireCreate() {
    $('report-button').addEventListener('click', function () { openCreate('report'); });
    $('register-button').addEventListener('click', function () { openCreate('register'); });
    $('create-form').addEventListener('submit', submitCreate);
    $('create-form').addEventListener('input', function () { if (!$('create-submit').disabled) showError($('create-error'), ''); });
    $('create-close').addEventListener('click', closeCreate);
    $('create-cancel').addEventListener('click', closeCreate);
    $('create-dialog').addEventListener('cancel', function (ev) { ev.preventDefault(); closeCreate(); });
  }

  // ---- One hazard -------------------------------------------------------------
  function route() {
    var m = /^#id=(\d+)$/.exec(location.hash);
    var id = m ? Number(m[1]) : null;
    if (id !== state.detailId) {
      state.detailId = id;
      state.detail = null;
      state.editMode = null;
      $('edit-form').hidden = true;
    }
    $('list-view').hidden = id !== null;
    $('detail-view').hidden = id === null;
    if (id !== null) { renderDetail(); loadDetail(); window.scrollTo(0, 0); }
    else { loadList(); }
  }

  function loadDetail() {
    var id = state.detailId;
    return getJson('/api/hazards/' + id).then(function (h) {
      if (id !== state.detailId) return;
      state.detail = h;
      renderDetail();
    }, function (err) {
      if (id !== state.detailId) return;
      state.detailError = err.status === 404 ? message('error.notFound', { id: id }) : failure(err);
      renderDetail();
    });
  }

  function fact(dl, key, value, id) {
    var wrap = el('div', 'hz-fact' + (key === 'description' || key === 'measures' || key === 'verificationNote' ? ' hz-wide' : ''));
    wrap.appendChild(el('dt', null, t('field.' + key)));
    var dd = el('dd');
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
    if (id) testid(dd, id);
    wrap.appendChild(dd);
    dl.appendChild(wrap);
  }

  function badges(h) {
    var box = el('span', 'hz-badges');
    box.appendChild(riskBadge(h));
    box.appendChild(statusBadge(h));
    if (h.overdue) box.appendChild(overdueBadge());
    return box;
  }

  function renderDetail() {
    var h = state.detail;
    $('detail-title').textContent = h ? '#' + h.id + ' ' + h.title : (state.detailError ? '#' + state.detailId : t('detail.loading'));
    var head = $('detail-badges');
    head.textContent = '';
    if (h) head.appendChild(badges(h));

    var err = state.detailError && state.detailError.id === state.detailId ? state.detailError : null;
    $('detail-error').hidden = !err;
    $('detail-error-text').textContent = err ? (err.err ? errorText(err.err) : t(err.key, err.params)) : '';
    $('conflict-reload').hidden = !(err && isConflict(err.err));
    var notice = state.notice && state.notice.id === state.detailId ? state.notice : null;
    $('detail-notice').hidden = !notice;
    $('detail-notice').textContent = notice ? t(notice.key, notice.key === 'detail.done' ? { action: t('action.' + notice.params.action) } : notice.params) : '';

    var facts = $('detail-facts');
    facts.textContent = '';
    if (h) {
      fact(facts, 'site', h.site);
      fact(facts, 'location', h.location);
      fact(facts, 'device', h.device);
      fact(facts, 'category', known('category.', h.category, h.categoryLabel));
      fact(facts, 'source', known('source.', h.source, h.sourceLabel));
      fact(facts, 'foundAt', localMinute(h.foundAt));
      fact(facts, 'foundBy', h.foundBy === 'alarm-feed' ? t('audit.feed') : h.foundBy);
      fact(facts, 'description', h.description, 'fact-description');
      fact(facts, 'measures', h.measures, 'fact-measures');
      fact(facts, 'funds', h.funds === null || h.funds === undefined ? null : Number(h.funds).toFixed(2));
      fact(facts, 'responsibleUnit', h.responsibleUnit);
      fact(facts, 'responsiblePerson', h.responsiblePerson, 'fact-responsible');
      fact(facts, 'deadline', h.deadline, 'fact-deadline');
      fact(facts, 'overdue', h.overdue ? t('value.yes') : t('value.no'));
      fact(facts, 'reinspector', h.reinspector, 'fact-reinspector');
      fact(facts, 'verificationPassed', h.verificationPassed === true ? t('value.passed') : h.verificationPassed === false ? t('value.failed') : null, 'fact-verification');
      fact(facts, 'verifiedAt', h.verifiedAt ? localMinute(h.verifiedAt) : null);
      fact(facts, 'verificationNote', h.verificationNote);
      fact(facts, 'createdAt', localMinute(h.createdAt));
      fact(facts, 'updatedAt', localMinute(h.updatedAt));
      fact(facts, 'closedAt', h.closedAt ? localMinute(h.closedAt) : null);
      fact(facts, 'version', h.version, 'fact-version');
    }
    renderActions(h);
    renderEdit(h);
    renderAlarms(h);
    renderAttachments(h);
    renderTimeline(h);
  }

  function needsBeforeStart(h) {
    return ['measures', 'responsiblePerson', 'deadline'].filter(function (k) { return !h[k]; });
  }

  function actionButton(box, action, primary) {
    var b = el('button', primary ? 'btn-submit' : 'btn-cancel', t('action.' + action));
    b.type = 'button';
    testid(b, 'action-' + action);
    b.addEventListener('click', function () { onAction(action); });
    box.appendChild(b);
  }

  function renderActions(h) {
    var panel = $('actions-panel');
    var box = $('actions');
    box.textContent = '';
    panel.hidden = !h;
    if (!h) return;
    if (!canManage(h.site)) {
      box.appendChild(testid(el('p', 'section-note', t('detail.readOnly')), 'actions-hint'));
      return;
    }
    if (h.status === 'closed') {
      box.appendChild(testid(el('p', 'section-note', t('detail.closed')), 'actions-hint'));
      return;
    }
    if (h.status === 'registered') actionButton(box, 'start', true);
    if (h.status === 'rectifying') actionButton(box, 'submit', true);
    if (h.status === 'awaiting_verification') { actionButton(box, 'verify', true); actionButton(box, 'reject', false); }
    actionButton(box, 'edit', false);
  }

  function onAction(action) {
    var h = state.detail;
    if (!h) return;
    state.notice = null;
    state.detailError = null;
    if (action === 'edit') { state.editMode = 'edit'; renderDetail(); $('edit-form').scrollIntoView({ block: 'start' }); return; }
    if (action === 'start' && needsBeforeStart(h).length) {
      state.editMode = 'start';
      renderDetail();
      $('edit-form').scrollIntoView({ block: 'start' });
      var first = $('edit-fields').querySelector('[name=' + needsBeforeStart(h)[0] + ']');
      if (first) first.focus();
      return;
    }
    openTransition(action);
  }

  // ---- Edit (at a version) ------------------------------------------------------
  function renderEdit(h) {
    var form = $('edit-form');
    var open = !!(h && state.editMode && canManage(h.site) && h.status !== 'closed');
    if (!open) { form.hidden = true; form.removeAttribute('data-version'); return; }
    var hint = $('edit-hint');
    var lacking = state.editMode === 'start' ? needsBeforeStart(h) : [];
    hint.hidden = state.editMode !== 'start';
    hint.textContent = t('start.needFields', { fields: lacking.map(function (k) { return t('field.' + k); }).join(english() ? ', ' : '、') });
    $('edit-submit').textContent = state.editMode === 'start' ? t('start.saveAndStart') : t('edit.save');
    // Built once per opening: a refresh must not wipe what is being typed, and the version stays the one read.
    if (form.hidden || form.getAttribute('data-lang') !== I18N.getLang()) {
      var typed = form.hidden ? null : formValues(form);
      buildFields($('edit-fields'), EDIT_FIELDS, typed || h);
      if (!typed) form.querySelector('[name=note]').value = '';
      if (form.hidden) form.setAttribute('data-version', String(h.version));
      form.setAttribute('data-lang', I18N.getLang());
      form.hidden = false;
    }
    $('edit-submit').disabled = false;
  }

  function closeEdit() {
    state.editMode = null;
    $('edit-form').hidden = true;
    renderDetail();
  }

  function submitEdit(ev) {
    ev.preventDefault();
    var h = state.detail;
    var form = $('edit-form');
    var version = Number(form.getAttribute('data-version'));
    var values = formValues(form);
    var body = { version: version };
    var changed = false;
    EDIT_FIELDS.forEach(function (f) {
      var k = f[0];
      var before = h[k] === null || h[k] === undefined ? '' : String(h[k]);
      if (k === 'funds') {
        if (values.funds !== '' && Number(values.funds) !== Number(h.funds)) { body.funds = Number(values.funds); changed = true; }
        return;
      }
      if (values[k] === before) return;
      if ((k === 'deadline' || k === 'category' || k === 'risk' || k === 'title' || k === 'description') && values[k] === '') return;
      body[k] = values[k];
      changed = true;
    });
    if (values.note) body.note = values.note;
    var starting = state.editMode === 'start';
    if (!changed && !starting) { state.notice = message('edit.nothing'); closeEdit(); return; }
    $('edit-submit').disabled = true;
    $('edit-submit').textContent = t('form.saving');
    state.detailError = null;
    var saved = false;
    var save = changed ? sendJson('PATCH', '/api/hazards/' + h.id, body) : Promise.resolve({ version: version });
    save.then(function (after) {
      saved = changed;
      if (!starting) return message('detail.saved');
      return sendJson('POST', '/api/hazards/' + h.id + '/transition', { action: 'start', version: after.version })
        .then(function () { return message('detail.done', { action: 'start' }); });
    }).then(function (notice) {
      state.notice = notice;
      state.editMode = null;
      $('edit-form').hidden = true;
      return loadDetail();
    }, function (err) {
      state.detailError = failure(err);
      if (saved) {
        // The edit is stored; only the start was refused: show the stored hazard with the reason.
        state.notice = message('detail.saved');
        state.editMode = null;
        $('edit-form').hidden = true;
        loadDetail();
      } else {
        // The form stays as typed: nothing is lost while the reason is read.
        $('edit-submit').disabled = false;
        $('edit-submit').textContent = starting ? t('start.saveAndStart') : t('edit.save');
      }
      renderDetail();
      $('detail-error').scrollIntoView({ block: 'center' });
    });
  }

  function wireEdit() {
    $('edit-form').addEventListener('submit', submitEdit);
    $('edit-cancel').addEventListener('click', closeEdit);
    $('conflict-reload').addEventListener('click', function () {
      state.detailError = null;
      state.notice = null;
      state.editMode = null;
      $('edit-form').hidden = true;
      loadDetail();
    });
  }

  // ---- Transitions ---------------------------------------------------------------
  function openTransition(action) {
    var h = state.detail;
    state.transition = action;
    var form = $('transition-form');
    form.reset();
    $('transition-title').textContent = '#' + h.id + ' · ' + t('action.' + action);
    $('transition-hint').textContent = t('transition.hint.' + action);
    var withReinspector = action === 'verify' || action === 'reject';
    $('reinspector-field').hidden = !withReinspector;
    form.querySelector('[name=reinspector]').value = h.reinspector || '';
    $('transition-note-label').textContent = action === 'reject' ? t('transition.noteRequired') : t('transition.note');
    $('transition-submit').textContent = t('action.' + action);
    $('transition-submit').disabled = false;
    showError($('transition-error'), '');
    $('transition-dialog').showModal();
  }

  function closeTransition() { $('transition-dialog').close(); state.transition = null; }

  function submitTransition(ev) {
    ev.preventDefault();
    var h = state.detail;
    var action = state.transition;
    var form = $('transition-form');
    var note = form.querySelector('[name=note]').value.trim();
    var reinspector = form.querySelector('[name=reinspector]').value.trim();
    if (action === 'verify' && !reinspector) { showError($('transition-error'), t('transition.needReinspector')); return; }
    if (action === 'reject' && !note) { showError($('transition-error'), t('transition.needNote')); return; }
    var body = { action: action, version: h.version };
    if (note) body.note = note;
    if ((action === 'verify' || action === 'reject') && reinspector) body.reinspector = reinspector;
    $('transition-submit').disabled = true;
    sendJson('POST', '/api/hazards/' + h.id + '/transition', body).then(function () {
      closeTransition();
      state.notice = message('detail.done', { action: action });
      state.detailError = null;
      return loadDetail();
    }, function (err) {
      $('transition-submit').disabled = false;
      showError($('transition-error'), errorText(err));
      if (isConflict(err)) {
        closeTransition();
        state.detailError = failure(err);
        renderDetail();
      }
    });
  }

  function wireTransition() {
    $('transition-form').addEventListener('submit', submitTransition);
    $('transition-cancel').addEventListener('click', closeTransition);
    $('transition-dialog').addEventListener('cancel', function (ev) { ev.preventDefault(); closeTransition(); });
  }

  // ---- Alarms, attachments, timeline -------------------------------------------------
  function historyHref(site, raisedAt) {
    var ms = parseTime(raisedAt);
    var age = ms === null ? 0 : Date.now() - ms;
    var period = age < 86400000 ? 'today' : age < 7 * 86400000 ? '' : '30d';
    return 'history.html?' + query({ site: site, period: period });
  }

  function renderAlarms(h) {
    var body = $('alarms-body');
    body.textContent = '';
    var alarms = h && h.alarms || [];
    alarms.forEach(function (a) {
      var tr = testid(el('tr', 'hz-alarm'), 'alarm-row');
      tr.setAttribute('data-alarm-id', a.id);
      tr.appendChild(el('td', 'at', localMinute(a.raisedAt)));
      tr.appendChild(el('td', 'what-type', known('rule.', a.rule)));
      tr.appendChild(el('td', null, a.device || '—'));
      var sev = el('td');
      sev.appendChild(el('span', 'badge sev-' + a.severity, known('severity.', a.severity)));
      tr.appendChild(sev);
      var st = el('td');
      st.appendChild(el('span', 'badge st ' + (a.active ? 'st-active_unack' : 'st-cleared'), a.active ? t('value.active') : t('value.cleared')));
      tr.appendChild(st);
      var go = el('td');
      var link = testid(el('a', 'nav-link', t('alarm.open')), 'alarm-link');
      link.href = historyHref(h.site, a.raisedAt);
      go.appendChild(link);
      tr.appendChild(go);
      body.appendChild(tr);
    });
    var none = $('alarms-empty');
    none.hidden = !h || alarms.length > 0;
    none.textContent = t('detail.noAlarms');
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KB';
    return (bytes / 1024 / 1024).toFixed(1) + ' MB';
  }

  function ownFreshReport(h) {
    return !!state.me && h.source === 'report' && h.status === 'registered'
      && (h.audit || []).some(function (a) { return a.action === 'create' && a.by === state.me.username; });
  }

  function renderAttachments(h) {
    var list = $('attachments');
    list.textContent = '';
    var files = h && h.attachments || [];
    files.forEach(function (a) {
      var li = testid(el('li', 'hz-attachment'), 'attachment');
      var link = el('a', 'hz-attachment-link');
      link.href = a.href;
      link.setAttribute('download', a.fileName);
      if (/^image\//.test(a.contentType)) {
        var img = testid(el('img', 'hz-thumb'), 'attachment-thumb');
        img.src = a.href;
        img.alt = a.fileName;
        img.loading = 'lazy';
        link.appendChild(img);
      } else {
        link.appendChild(el('span', 'hz-file-icon', (a.fileName.split('.').pop() || 'file').toUpperCase()));
      }
      li.appendChild(link);
      var meta = el('div', 'hz-attachment-meta');
      var dl = testid(el('a', null, a.fileName), 'attachment-download');
      dl.href = a.href;
      dl.setAttribute('download', a.fileName);
      meta.appendChild(dl);
      meta.appendChild(el('div', 'small muted', size(a.size) + ' · ' + a.uploadedBy + ' · ' + localMinute(a.uploadedAt)));
      li.appendChild(meta);
      list.appendChild(li);
    });
    var none = $('attachments-empty');
    none.hidden = !h || files.length > 0;
    none.textContent = t('detail.noAttachments');
    $('upload-form').hidden = !h || h.status === 'closed' || !(canManage(h.site) || ownFreshReport(h));
  }

  function wireUpload() {
    $('upload-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var file = $('upload-form').querySelector('input[type=file]').files[0];
      if (!file) { state.detailError = message('upload.choose'); renderDetail(); return; }
      state.detailError = null;
      upload(state.detail.id, file).then(function () {
        $('upload-form').reset();
        state.notice = message('detail.uploaded', { name: file.name });
        return loadDetail();
      }, function (err) {
        state.detailError = failure(err);
        renderDetail();
      });
    });
  }

  /** A value of the audit's changes in words: labels for enumerations, local times, yes/no. */
  function valueText(field, v) {
    if (v === null || v === undefined || v === '') return t('value.empty');
    if (field === 'category') return known('category.', v);
    if (field === 'risk') return known('risk.', v);
    if (field === 'status') return known('hzstatus.', v);
    if (field === 'source') return known('source.', v);
    if (field === 'verificationPassed') return v === 'true' ? t('value.passed') : v === 'false' ? t('value.failed') : v;
    if (/^alarm:/.test(field)) return v === 'true' ? t('value.active') : v === 'false' ? t('value.cleared') : v.replace(/^(\S+) (\S+)$/, function (m, rule, sev) { return known('rule.', rule) + ' · ' + known('severity.', sev); });
    if (/At$/.test(field) && parseTime(v) !== null && /T/.test(v)) return localMinute(v);
    if (field === 'attachment') return v.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/, '$1…');
    return v;
  }

  function fieldLabel(field) {
    var m = /^alarm:(.+)$/.exec(field);
    if (m) return t('field.alarm', { id: m[1] });
    return I18N.has('field.' + field) ? t('field.' + field) : field;
  }

  function renderTimeline(h) {
    var list = $('timeline');
    list.textContent = '';
    (h && h.audit || []).forEach(function (a) {
      var li = testid(el('li', 'hz-step hz-step-' + a.action), 'timeline-item');
      li.setAttribute('data-action', a.action);
      var head = el('div', 'hz-step-head');
      head.appendChild(testid(el('span', 'hz-step-action', known('audit.', a.action)), 'timeline-action'));
      head.appendChild(el('span', 'hz-step-at', localMinute(a.at)));
      head.appendChild(testid(el('span', 'hz-step-by', a.by === 'alarm-feed' ? t('audit.feed') : a.by), 'timeline-by'));
      li.appendChild(head);
      var changes = null;
      try { changes = a.changes ? JSON.parse(a.changes) : null; } catch (e) { changes = null; }
      if (changes) {
        var ul = el('ul', 'hz-changes');
        Object.keys(changes).forEach(function (field) {
          var pair = changes[field] || [];
          // Fields the step already says (the status of a transition) are left out.
          if (field === 'status' && a.action !== 'create') return;
          if ((a.action === 'verify' || a.action === 'reject') && (field === 'verifiedAt' || field === 'closedAt' || field === 'verificationNote')) return;
          var row = testid(el('li', 'hz-change'), 'timeline-change');
          row.setAttribute('data-field', field);
          row.appendChild(el('span', 'hz-change-field', fieldLabel(field) + (english() ? ': ' : '：')));
          if ((pair[0] !== null && pair[0] !== undefined) || a.action === 'update') {
            row.appendChild(el('span', 'hz-old', valueText(field, pair[0])));
            row.appendChild(el('span', 'hz-arrow', ' → '));
          }
          row.appendChild(el('span', 'hz-new', valueText(field, pair[1])));
          ul.appendChild(row);
        });
        if (ul.childNodes.length) li.appendChild(ul);
      }
      if (a.note) li.appendChild(testid(el('p', 'hz-step-note', t('audit.noteLabel') + a.note), 'timeline-note'));
      list.appendChild(li);
    });
  }

  // ---- Whole page -----------------------------------------------------------------
  function renderStatic() {
    document.documentElement.lang = I18N.getLang();
    document.title = t('hz.title') + ' · ' + t('app.title');
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-aria]').forEach(function (node) { node.setAttribute('aria-label', t(node.getAttribute('data-i18n-aria'))); });
    var toggle = $('lang-toggle');
    toggle.textContent = t('lang.toggle');
    toggle.setAttribute('aria-label', t('lang.toggle.aria'));
    $('register-button').hidden = !managesAny();
  }

  function render() {
    renderStatic();
    renderFilters();
    renderList();
    if (state.detailId !== null) renderDetail();
  }

  function init() {
    readUrl();
    wireFilters();
    wireCreate();
    wireEdit();
    wireTransition();
    wireUpload();
    $('detail-back').addEventListener('click', function () { location.hash = ''; });
    $('lang-toggle').addEventListener('click', function () {
      I18N.toggleLang();
      render();
      if (state.createMode && $('create-dialog').open) {
        openCreate(state.createMode, { values: formValues($('create-form')), file: $('create-fields').querySelector('input[type=file]') });
      }
      CampusAuth.renderUser($('user-box'), state.me);
    });
    window.addEventListener('hashchange', route);
    render();
    CampusAuth.me().then(function (me) {
      if (!me) { state.error = { status: 0, detail: '' }; render(); return; }
      state.me = me;
      CampusAuth.renderUser($('user-box'), me);
      return loadSites().then(function () {
        render();
        route();
        setInterval(function () {
          if (state.detailId === null && !state.loading && !document.querySelector('dialog[open]')) loadList();
        }, REFRESH_MS);
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
