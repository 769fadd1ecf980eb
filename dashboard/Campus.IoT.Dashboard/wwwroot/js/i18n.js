/*
 * Campus.IoT guard-room alarm board — UI strings (zh-CN first, English second).
 * Plain script, no build step. Exposes window.CampusI18n.
 */
(function () {
  'use strict';

  var STORAGE_KEY = 'campusIoT.board.lang';
  var SUPPORTED = ['zh-CN', 'en'];
  var DEFAULT_LANG = 'zh-CN';

  var STRINGS = {
    'zh-CN': {
      'app.title': '校园消防报警监控台',
      'nav.board': '报警监控台',
      'nav.label': '页面',
      'nav.rooms': '冷库与实验室温度',
      'lang.toggle': 'English',
      'lang.toggle.aria': 'Switch to English',
      'nav.history': '报警历史',
      'nav.health': '传感器健康',
      'nav.hazards': '隐患台账',
      'nav.lists': '三清单',
      'nav.report': '年度报告',

      'conn.connected': '连接正常',
      'conn.connecting': '正在连接…',
      'conn.reconnecting': '正在重连…',
      'conn.disconnected': '已断开',
      'conn.demo': '演示模式',
      'banner.disconnected': '与服务器的连接已断开！屏幕上的报警信息可能不是最新的，请用其他方式确认火警。正在自动重试…',
      'banner.reconnecting': '正在重新连接服务器… 报警信息可能有延迟',
      'banner.connecting': '正在连接服务器…',
      'banner.noLib': '实时连接组件加载失败，本屏幕不会实时更新！每10秒尝试刷新一次。',
      'banner.fetchFailed': '无法从服务器获取报警列表，正在重试…',
      'banner.demo': '演示模式：显示的是示例数据，不是真实报警',

      'sound.arm': '点击启用警报声音',
      'sound.arm.sub': '浏览器要求先点击一次才能播放警报声',
      'sound.armed': '声音已启用',
      'sound.notArmed': '声音未启用',
      'sound.unsupported': '此浏览器不支持警报声音',

      'count.label': '当前报警',
      'clock.label': '当前时间',
      'allClear': '一切正常',
      'allClear.sub': '当前没有未处理的报警',
      'noData': '无法确认报警状态',
      'noData.sub': '尚未从服务器取得最新报警信息，请查看上方连接状态',
      'hero.heading': '紧急报警 · 请立即处理',

      'col.severity': '级别 / 状态',
      'col.what': '报警类型 / 位置',
      'col.time': '报警时间 / 已持续',
      'col.escalation': '升级 / 次数',
      'col.action': '操作',

      'field.raisedAt': '报警时间',
      'field.elapsed': '已持续',
      'field.severity': '级别',
      'field.state': '状态',
      'field.escalation': '升级',
      'field.place': '位置',

      'place.zone': '区域',
      'place.point': '点位',
      'place.device': '设备',
      'place.gateway': '网关',
      'place.site': '学校',
      'place.unknown': '位置未知',

      'escalation.none': '未升级',
      'escalation.level': '已升级 {n} 级',
      'escalation.next': '{left} 后升级',
      'escalation.due': '正在升级…',
      'count.times': '共 {n} 次',
      'ackedBy': '{by} 于 {time} 确认',
      'ackNote': '备注：{note}',
      'clearedAt': '已于 {time} 恢复',
      'recentlyCleared': '最近恢复：',
      'lastData': '最后收到数据：{time}',
      'lastData.none': '尚未收到数据',

      'ack.button': '确认报警',
      'ack.button.aria': '确认报警：{what}',
      'ack.title': '确认报警',
      'ack.by': '确认人姓名（必填）',
      'ack.note': '备注（选填）',
      'ack.note.placeholder': '例如：已到现场核实',
      'ack.submit': '确认',
      'ack.submitting': '正在提交…',
      'ack.cancel': '取消',
      'ack.err.nameRequired': '请填写确认人姓名',
      'ack.err.network': '网络错误，确认未提交，请重试',
      'ack.err.timeout': '服务器无响应，确认未提交，请重试',
      'ack.err.http': '确认失败（{status}）',
      'ack.err.withDetail': '{head}：{detail}',
      'ack.err.demo': '演示模式，不会提交到服务器',

      'type.smoke': '烟感报警',
      'type.fire_alarm': '火警',
      'type.heat': '温感报警',
      'type.manual_call_point': '手动报警按钮',
      'type.supervisory': '监管报警',
      'type.trouble': '故障',
      'type.power_fault': '电源故障',
      'type.unknown': '未知报警',

      'rule.fire': '火警',
      'rule.fixed-heat': '高温报警 (≥57 °C)',
      'rule.panel-supervisory': '监管报警',
      'rule.panel-trouble': '故障',
      'rule.panel-power-fault': '电源故障',
      'rule.console-unattended': '值班室无人值守（报警看板未打开）',
      'rule.gateway-offline': '网关离线',
      'rule.rate-of-rise': '温度急升',
      'rule.sensor-offline': '传感器离线',
      'rule.sensor-stuck': '传感器读数不变',
      'rule.cold-storage': '冷藏温度异常',
      'rule.freezer': '冷冻温度异常',
      'rule.lab-fridge': '实验室冰箱温度异常',
      'rule.chem-store': '危化品库温度过高',

      'metric.temperature': '温度',

      'severity.critical': '紧急',
      'severity.major': '重要',
      'severity.minor': '次要',
      'severity.warning': '提示',

      'state.active_unack': '未确认',
      'state.active_ack': '已确认',
      'state.cleared_unack': '已恢复未确认',
      'state.cleared': '已恢复',
      'state.shelved': '已搁置',
      'state.suppressed': '已抑制',

      'dur.s': '{s}秒',
      'dur.ms': '{m}分{s}秒',
      'dur.hms': '{h}小时{m}分{s}秒',
      'dur.dh': '{d}天{h}小时',

      'weekday': ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']
    },

    'en': {
      'app.title': 'Campus Fire Alarm Board',
      'nav.board': 'Alarm board',
      'nav.label': 'Pages',
      'nav.rooms': 'Cold storage & labs',
      'lang.toggle': '中文',
      'lang.toggle.aria': '切换到中文',
      'nav.history': 'Alarm history',
      'nav.health': 'Sensor health',
      'nav.hazards': 'Hazard register',
      'nav.lists': 'Three lists',
      'nav.report': 'Annual report',

      'conn.connected': 'Connected',
      'conn.connecting': 'Connecting…',
      'conn.reconnecting': 'Reconnecting…',
      'conn.disconnected': 'Disconnected',
      'conn.demo': 'Demo mode',
      'banner.disconnected': 'Connection to the server is LOST! Alarms on this screen may be out of date — check for fires by other means. Retrying automatically…',
      'banner.reconnecting': 'Reconnecting to the server… alarms may be delayed',
      'banner.connecting': 'Connecting to the server…',
      'banner.noLib': 'Live-connection library failed to load: this screen is NOT live! Refreshing every 10 s.',
      'banner.fetchFailed': 'Could not load the alarm list from the server, retrying…',
      'banner.demo': 'DEMO MODE: sample data, not real alarms',

      'sound.arm': 'Click to enable alarm sound',
      'sound.arm.sub': 'The browser needs one click before it may play the siren',
      'sound.armed': 'Sound armed',
      'sound.notArmed': 'Sound OFF',
      'sound.unsupported': 'This browser cannot play the alarm sound',

      'count.label': 'Open alarms',
      'clock.label': 'Time',
      'allClear': 'All clear',
      'allClear.sub': 'There are no open alarms',
      'noData': 'Alarm status unknown',
      'noData.sub': 'No up-to-date alarm list from the server yet — see the connection status above',
      'hero.heading': 'CRITICAL ALARM · act now',

      'col.severity': 'Severity / state',
      'col.what': 'Alarm / place',
      'col.time': 'Raised / elapsed',
      'col.escalation': 'Escalation / count',
      'col.action': 'Action',

      'field.raisedAt': 'Raised',
      'field.elapsed': 'Elapsed',
      'field.severity': 'Severity',
      'field.state': 'State',
      'field.escalation': 'Escalation',
      'field.place': 'Place',

      'place.zone': 'Zone',
      'place.point': 'Point',
      'place.device': 'Device',
      'place.gateway': 'Gateway',
      'place.site': 'School',
      'place.unknown': 'Unknown place',

      'escalation.none': 'Not escalated',
      'escalation.level': 'Level {n}',
      'escalation.next': 'escalates in {left}',
      'escalation.due': 'escalating…',
      'count.times': '{n} times',
      'ackedBy': 'Acknowledged by {by} at {time}',
      'ackNote': 'Note: {note}',
      'clearedAt': 'Cleared at {time}',
      'recentlyCleared': 'Recently cleared: ',
      'lastData': 'Last data received: {time}',
      'lastData.none': 'No data received yet',

      'ack.button': 'Acknowledge',
      'ack.button.aria': 'Acknowledge alarm: {what}',
      'ack.title': 'Acknowledge alarm',
      'ack.by': 'Your name (required)',
      'ack.note': 'Note (optional)',
      'ack.note.placeholder': 'e.g. checked on site',
      'ack.submit': 'Acknowledge',
      'ack.submitting': 'Submitting…',
      'ack.cancel': 'Cancel',
      'ack.err.nameRequired': 'Please enter your name',
      'ack.err.network': 'Network error — NOT acknowledged, please retry',
      'ack.err.timeout': 'The server did not answer — NOT acknowledged, please retry',
      'ack.err.http': 'Acknowledge failed ({status})',
      'ack.err.withDetail': '{head}: {detail}',
      'ack.err.demo': 'Demo mode: nothing is sent to a server',

      'type.smoke': 'Smoke detector alarm',
      'type.fire_alarm': 'Fire alarm',
      'type.heat': 'Heat detector alarm',
      'type.manual_call_point': 'Manual call point',
      'type.supervisory': 'Supervisory',
      'type.trouble': 'Trouble',
      'type.power_fault': 'Power fault',
      'type.unknown': 'Unknown alarm',

      'rule.fire': 'Fire alarm',
      'rule.fixed-heat': 'High temperature (≥57 °C)',
      'rule.panel-supervisory': 'Supervisory',
      'rule.panel-trouble': 'Trouble',
      'rule.panel-power-fault': 'Power fault',
      'rule.console-unattended': 'Guard room unattended (no alarm board open)',
      'rule.gateway-offline': 'Gateway offline',
      'rule.rate-of-rise': 'Rate-of-rise heat',
      'rule.sensor-offline': 'Sensor offline',
      'rule.sensor-stuck': 'Sensor stuck',
      'rule.cold-storage': 'Cold storage out of range',
      'rule.freezer': 'Freezer out of range',
      'rule.lab-fridge': 'Lab fridge out of range',
      'rule.chem-store': 'Chemical store too warm',

      'metric.temperature': 'Temperature',

      'severity.critical': 'Critical',
      'severity.major': 'Major',
      'severity.minor': 'Minor',
      'severity.warning': 'Warning',

      'state.active_unack': 'Unacknowledged',
      'state.active_ack': 'Acknowledged',
      'state.cleared_unack': 'Cleared, unacknowledged',
      'state.cleared': 'Cleared',
      'state.shelved': 'Shelved',
      'state.suppressed': 'Suppressed',

      'dur.s': '{s} s',
      'dur.ms': '{m} min {s} s',
      'dur.hms': '{h} h {m} min {s} s',
      'dur.dh': '{d} d {h} h',

      'weekday': ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
    }
  };

  function readStoredLang() {
    try {
      var v = window.localStorage.getItem(STORAGE_KEY);
      return SUPPORTED.indexOf(v) >= 0 ? v : null;
    } catch (e) {
      return null; // storage disabled: fall back to the default
    }
  }

  var current = readStoredLang() || DEFAULT_LANG;

  /** Look a key up in the current language, falling back to zh-CN, then the key itself. */
  function raw(key) {
    var table = STRINGS[current] || STRINGS[DEFAULT_LANG];
    if (Object.prototype.hasOwnProperty.call(table, key)) return table[key];
    if (Object.prototype.hasOwnProperty.call(STRINGS[DEFAULT_LANG], key)) return STRINGS[DEFAULT_LANG][key];
    return null;
  }

  function has(key) {
    return raw(key) !== null;
  }

  /** Translate key, replacing {name} placeholders from params. */
  function t(key, params) {
    var s = raw(key);
    if (s === null) return key;
    if (typeof s !== 'string') return s;
    if (!params) return s;
    return s.replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(params, name) && params[name] !== null && params[name] !== undefined
        ? String(params[name]) : m;
    });
  }

  /** Human duration, e.g. 2分15秒 / 2 min 15 s. Negative values (clock skew) count as 0. */
  function formatDuration(ms) {
    var total = Math.max(0, Math.floor((Number(ms) || 0) / 1000));
    var d = Math.floor(total / 86400);
    var h = Math.floor((total % 86400) / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    if (d > 0) return t('dur.dh', { d: d, h: h });
    if (h > 0) return t('dur.hms', { h: h, m: m, s: s });
    if (m > 0) return t('dur.ms', { m: m, s: s });
    return t('dur.s', { s: s });
  }

  function getLang() {
    return current;
  }

  function setLang(lang) {
    if (SUPPORTED.indexOf(lang) < 0) return;
    current = lang;
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (e) {
      /* storage disabled: choice lasts until reload */
    }
  }

  function toggleLang() {
    setLang(current === 'zh-CN' ? 'en' : 'zh-CN');
    return current;
  }

  window.CampusI18n = {
    STRINGS: STRINGS,
    SUPPORTED: SUPPORTED,
    t: t,
    has: has,
    formatDuration: formatDuration,
    getLang: getLang,
    setLang: setLang,
    toggleLang: toggleLang
  };
})();
