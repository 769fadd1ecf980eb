/*
 * Campus.IoT — sign-in helpers shared by the pages: who is signed in, the anti-forgery token for POSTs, the way back to
 * the sign-in page, and the user box (name, sign out). Plain script, no build step. Exposes window.CampusAuth.
 */
(function () {
  'use strict';

  var t = function (key, vars) { return window.CampusI18n ? window.CampusI18n.t(key, vars) : key; };

  function toLogin() {
    var here = location.pathname + location.search;
    if (location.pathname !== '/login.html') location.href = '/login.html?return=' + encodeURIComponent(here);
  }

  /** GET /api/auth/me: the signed-in user (or the demo visitor), null when that fails. */
  function me() {
    return fetch('/api/auth/me', { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) { toLogin(); return null; }
        return res.ok ? res.json() : null;
      })
      .catch(function () { return null; });
  }

  /** The given headers plus X-CSRF-TOKEN (fetched fresh: the token is bound to who is signed in). */
  function csrfHeaders(headers) {
    return fetch('/api/auth/csrf', { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        var all = Object.assign({}, headers);
        all[body.header || 'X-CSRF-TOKEN'] = body.token;
        return all;
      });
  }

  /**
   * GET a JSON body (problem+json accepted); rejects with { status, detail } — status 0 when the server is unreachable,
   * the problem's detail (or title) otherwise. 401 goes to the sign-in page.
   */
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json, application/problem+json' }, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) { toLogin(); throw { status: 401, detail: '' }; }
        return res.json().catch(function () { return null; }).then(function (body) {
          if (res.ok) return body;
          throw { status: res.status, detail: body && (body.detail || body.title) || '' };
        });
      }, function () { throw { status: 0, detail: '' }; });
  }

  function logout() {
    return csrfHeaders({ Accept: 'application/json' })
      .then(function (headers) { return fetch('/api/auth/logout', { method: 'POST', headers: headers }); })
      .finally(toLogin);
  }

  var ROLE_NAMES = {
    guard: ['值班员', 'Guard'],
    safety_officer: ['安全员', 'Safety officer'],
    lab_manager: ['实验室管理员', 'Lab manager'],
    canteen_manager: ['食堂管理员', 'Canteen manager'],
    district_admin: ['区管理员', 'District admin']
  };

  /** Fills the top bar's user box: name and role, and a sign-out button for a real account. */
  function renderUser(box, user) {
    // The pages' row of links is named for screen readers in the page's language (every page calls this on a switch).
    document.querySelectorAll('.page-nav').forEach(function (nav) { nav.setAttribute('aria-label', t('nav.label')); });
    if (!box) return;
    box.textContent = '';
    if (!user) return;
    var english = window.CampusI18n && window.CampusI18n.getLang && window.CampusI18n.getLang() === 'en';
    var role = ROLE_NAMES[user.role] ? ROLE_NAMES[user.role][english ? 1 : 0] : user.role;
    var name = document.createElement('span');
    name.className = 'user-name';
    name.setAttribute('data-testid', 'user-name');
    name.textContent = user.displayName + ' · ' + role;
    name.title = name.textContent;   // the whole name when the top bar cuts it short
    // Links to pages this role does not use (the guard-room board: lab and canteen managers see their rooms instead).
    document.querySelectorAll('[data-hide-for]').forEach(function (link) {
      link.hidden = link.getAttribute('data-hide-for').split(' ').indexOf(user.role) >= 0;
    });
    box.appendChild(name);
    if (!user.anonymous) {
      var out = document.createElement('button');
      out.type = 'button';
      out.className = 'logout';
      out.setAttribute('data-testid', 'logout');
      out.textContent = english ? 'Sign out' : '退出登录';
      out.addEventListener('click', logout);
      box.appendChild(out);
    }
  }

  window.CampusAuth = { toLogin: toLogin, me: me, getJson: getJson, csrfHeaders: csrfHeaders, logout: logout, renderUser: renderUser };
})();
