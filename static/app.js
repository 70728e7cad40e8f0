// Small progressive helpers; every page works without this file.
// Print buttons only make sense with script: show them when it runs.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
});
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.hasAttribute("data-print")) {
    window.print();
  }
});
