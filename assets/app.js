// regiomonitor: small help for keyboard and screen reader users; every page works without it.
//
// After a save the page shows a confirmation (#melding). Focus goes to the element the
// address points to when it holds an edit link (the matrix cell that was just edited), so a
// keyboard user goes on where they were; otherwise to the confirmation, so it is read out.
// After `load`: the browser's own move to the address's fragment comes before it and would
// take the focus away again.
window.addEventListener('load', function () {
  var notice = document.getElementById('melding');
  if (!notice) return;
  var id = '';
  try {
    id = decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    id = '';
  }
  var target = id ? document.getElementById(id) : null;
  // On a phone the edited plan sits in a folded list per gemeente: unfold it.
  var folded = target ? target.closest('details') : null;
  if (folded) folded.open = true;
  var link = target ? target.querySelector('a.rm-edit-link') : null;
  if (link && link.offsetParent !== null) {
    link.focus();
  } else {
    notice.focus();
  }
});

// A matrix cell's form opens in a row under the plan; asking for it again while that row is
// open goes to the open form instead of adding a second one.
document.addEventListener('htmx:beforeRequest', function (event) {
  var link = event.detail && event.detail.elt;
  var id = link && link.getAttribute && link.getAttribute('data-edit-row');
  var open = id ? document.getElementById(id) : null;
  if (!open) return;
  event.preventDefault();
  var first = open.querySelector('[autofocus], select, input:not([type=hidden])');
  (first || open).focus();
});
