/*
 * Campus.IoT sign-in page: sign in (with the anti-forgery token), then, for a one-time password, choose a new one; then
 * back to the page that sent the user here. zh-CN first, English on the switch. Plain script, no build step.
 */
(function () {
  'use strict';

  var TEXT = {
    'zh-CN': {
      title: '校园安全监控平台', action: '登录', username: '用户名', password: '密码', submit: '登录', toggle: 'English',
      hint: '这是一次性密码，请设置您自己的新密码（至少10位）。', newPassword: '新密码', repeat: '再次输入新密码', save: '保存新密码',
      required: '请输入用户名和密码', wrong: '用户名或密码错误', locked: '错误次数过多，请15分钟后再试',
      mismatch: '两次输入的新密码不一致', tooShort: '新密码至少需要10位', failed: '登录失败，请稍后重试（{status}）', network: '无法连接服务器'
    },
    en: {
      title: 'Campus safety platform', action: 'Sign in', username: 'User name', password: 'Password', submit: 'Sign in', toggle: '中文',
      hint: 'This is a one-time password: choose your own (at least 10 characters).', newPassword: 'New password',
      repeat: 'New password again', save: 'Save new password', required: 'Enter your user name and password',
      wrong: 'Wrong user name or password', locked: 'Too many attempts: try again in 15 minutes',
      mismatch: 'The two new passwords differ', tooShort: 'The new password needs at least 10 characters',
      failed: 'Sign-in failed ({status})', network: 'Cannot reach the server'
    }
  };
  var lang = localStorage.getItem('campusIoT.board.lang') === 'en' ? 'en' : 'zh-CN';
  var current = '';

  function $(id) { return document.getElementById(id); }
  function tr(key, vars) { return TEXT[lang][key].replace('{status}', vars && vars.status); }

  function render() {
    document.documentElement.lang = lang;
    // Two unbreakable parts on two lines: a narrow card never breaks inside a word (登 / 录).
    $('title-app').textContent = tr('title');
    $('title-action').textContent = tr('action');
    document.title = tr('action') + ' · ' + tr('title');
    $('username-label').textContent = tr('username');
    $('password-label').textContent = tr('password');
    $('login-submit').textContent = tr('submit');
    $('change-hint').textContent = tr('hint');
    $('new-label').textContent = tr('newPassword');
    $('repeat-label').textContent = tr('repeat');
    $('change-submit').textContent = tr('save');
    $('lang-toggle').textContent = tr('toggle');
  }

  function error(text) { $('error').textContent = text || ''; }

  function post(url, body) {
    return fetch('/api/auth/csrf', { cache: 'no-store' })
      .then(function (res) { return res.json(); })
      .then(function (csrf) {
        var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
        headers[csrf.header] = csrf.token;
        return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body), cache: 'no-store' });
      });
  }

  function back() {
    var target = new URLSearchParams(location.search).get('return') || '/';
    // Only a path on this site (no open redirect).
    location.href = target.charAt(0) === '/' && target.charAt(1) !== '/' ? target : '/';
  }

  function signIn(ev) {
    ev.preventDefault();
    var username = $('username').value.trim();
    var password = $('password').value;
    if (!username || !password) { error(tr('required')); return; }
    error('');
    post('/api/auth/login', { username: username, password: password })
      .then(function (res) {
        if (res.status === 401) { error(tr('wrong')); return null; }
        if (res.status === 429) { error(tr('locked')); return null; }
        if (!res.ok) { error(tr('failed', { status: res.status })); return null; }
        return res.json();
      })
      .then(function (user) {
        if (!user) return;
        if (user.mustChangePassword) {
          current = password;
          $('login-form').hidden = true;
          $('change-form').hidden = false;
          $('new-password').focus();
          return;
        }
        back();
      })
      .catch(function () { error(tr('network')); });
  }

  function change(ev) {
    ev.preventDefault();
    var fresh = $('new-password').value;
    if (fresh.length < 10) { error(tr('tooShort')); return; }
    if (fresh !== $('new-password-2').value) { error(tr('mismatch')); return; }
    error('');
    post('/api/auth/password', { current: current, 'new': fresh })
      .then(function (res) {
        if (res.ok) { back(); return; }
        return res.json().then(function (p) { error((p && (p.detail || p.title)) || tr('failed', { status: res.status })); });
      })
      .catch(function () { error(tr('network')); });
  }

  $('login-form').addEventListener('submit', signIn);
  $('change-form').addEventListener('submit', change);
  $('lang-toggle').addEventListener('click', function () {
    lang = lang === 'en' ? 'zh-CN' : 'en';
    localStorage.setItem('campusIoT.board.lang', lang);
    render();
  });
  render();
  $('username').focus();
})();
