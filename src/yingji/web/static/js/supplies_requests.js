/* /supplies/requests/new: choosing an open incident fills the incident reference ("#<id> <title>"),
   the destination, the place and the number of people (all still editable). */
(function () {
  'use strict';
  var data = document.getElementById('req-incidents');
  var select = document.getElementById('rq-incident_id');
  if (!data || !select) return;
  var incidents = JSON.parse(data.textContent);
  function set(name, value) {
    var input = document.getElementById('rq-' + name);
    if (input && value != null) input.value = String(value);
  }
  select.addEventListener('change', function () {
    var id = parseInt(select.value, 10);
    var inc = incidents.filter(function (x) { return x.id === id; })[0];
    if (!inc) return;
    set('incident_ref', ('#' + inc.id + ' ' + inc.title).slice(0, 200));
    set('destination', String(inc.title).slice(0, 200));
    set('lon', inc.lon);
    set('lat', inc.lat);
    set('people', inc.people);
    var division = document.getElementById('rq-division_code');
    if (division && division.querySelector('option[value="' + inc.division + '"]')) division.value = inc.division;
  });
})();
