/* Registry forms: show the capacity inputs of the chosen facility kind. */
(function () {
  'use strict';
  var form = document.querySelector('form.record-form');
  if (!form) return;
  var kind = form.querySelector('select[name="kind"]');
  var blocks = form.querySelectorAll('[data-capacity-for]');
  if (!kind || !blocks.length) return;
  function sync() {
    blocks.forEach(function (block) {
      var on = block.getAttribute('data-capacity-for') === kind.value;
      block.hidden = !on;
      block.disabled = !on;
    });
  }
  kind.addEventListener('change', sync);
  sync();
})();
