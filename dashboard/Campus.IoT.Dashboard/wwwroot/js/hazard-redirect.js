/* hazard.html?id=N → hazards.html#id=N (one page shows the list and one hazard). */
(function () {
  'use strict';
  var id = new URLSearchParams(location.search).get('id');
  location.replace('hazards.html' + (/^\d+$/.test(id || '') ? '#id=' + id : ''));
})();
