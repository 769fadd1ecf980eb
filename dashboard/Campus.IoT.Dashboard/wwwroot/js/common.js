/*
 * Campus.IoT — the small helpers every page shares: creating an element (text only through textContent, never parsed as
 * HTML), two-digit padding, RFC 3339 parsing (fractions trimmed to milliseconds: .NET may send 7 digits), the local date
 * and clock. Plain script, no build step, loaded before the page's own script. Exposes window.CampusCommon.
 */
(function () {
  'use strict';

  /** Create an element; text is set with textContent. */
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function pad2(n) { return n < 10 ? '0' + n : String(n); }

  /** An RFC 3339 timestamp as epoch ms, or null. */
  function parseTime(s) {
    if (s === null || s === undefined || s === '') return null;
    var ms = Date.parse(String(s).replace(/(\.\d{3})\d+/, '$1'));
    return isNaN(ms) ? null : ms;
  }

  /** YYYY-MM-DD in the browser's time zone. */
  function localDate(ms) {
    var d = new Date(ms);
    return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
  }

  /** HH:mm:ss in the browser's time zone. */
  function localClock(ms) {
    var d = new Date(ms);
    return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
  }

  window.CampusCommon = { el: el, pad2: pad2, parseTime: parseTime, localDate: localDate, localClock: localClock };
})();
