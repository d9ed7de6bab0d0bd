/* /supplies/orders: sign an order in transit for (POST …/receipt) or call it back (POST …/cancel);
   the page reloads on success, and the service's refusal is shown beside the buttons. */
(function () {
  'use strict';
  var S = window.Supplies;
  function act(button, path, confirmKey) {
    if (confirmKey && !window.confirm(S.t(confirmKey))) return;
    var row = button.closest('tr');
    var err = row.querySelector('[data-testid=order-error]');
    Array.prototype.forEach.call(row.querySelectorAll('button'), function (b) { b.disabled = true; });
    S.api('POST', '/dispatch-orders/' + button.getAttribute('data-id') + path, {}).then(function () {
      window.location.reload();
    }).catch(function (e) {
      err.textContent = S.t('error', {msg: e.message});
      Array.prototype.forEach.call(row.querySelectorAll('button'), function (b) { b.disabled = false; });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('.sup-receive'), function (b) {
    b.addEventListener('click', function () { act(b, '/receipt', null); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.sup-cancel'), function (b) {
    b.addEventListener('click', function () { act(b, '/cancel', 'cancel_confirm'); });
  });
})();
