/* window.yjRefresher(load, delay): a trigger that runs ``load`` (which may return a promise) after
   ``delay`` ms (default 150), coalescing bursts of live events into one call and never running the
   loader twice at once (a trigger during a run schedules one more run). ``trigger.now()`` runs at
   once. Shared by the incident pages and the warning console. */
(function () {
  'use strict';
  window.yjRefresher = function (load, delay) {
    var timer = null, running = false, again = false;
    function run() {
      timer = null;
      if (running) { again = true; return; }
      running = true;
      Promise.resolve().then(load).catch(function (err) {
        if (window.console) console.warn('refresh failed', err);
      }).then(function () {
        running = false;
        if (again) { again = false; trigger(); }
      });
    }
    function trigger() { if (timer === null) timer = setTimeout(run, delay === undefined ? 150 : delay); }
    trigger.now = run;
    return trigger;
  };
})();
