// Small progressive helpers; every page works without this file.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.hasAttribute("data-print")) {
    window.print();
  }
});
