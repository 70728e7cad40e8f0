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

// Settings: a colour picker beside the colour field, and a live preview of
// the readable shade (the same rule as the server: darken the colour until
// it reads at 4.5:1 on the pages' light backgrounds). Without script the
// field and the saved preview still work.
(function () {
  function parse(value) {
    var v = value.trim().toLowerCase().replace(/^#/, "");
    if (/^[0-9a-f]{3}$/.test(v)) { v = v.replace(/(.)/g, "$1$1"); }
    return /^[0-9a-f]{6}$/.test(v) ? "#" + v : null;
  }
  function channels(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
  }
  function luminance(rgb) {
    var l = rgb.map(function (c) {
      c = c / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function hex(rgb) {
    return "#" + rgb.map(function (c) { return ("0" + c.toString(16)).slice(-2); }).join("");
  }
  // The darkest light background brand text sits on (as DARKEST_TINT on the server).
  var tint = luminance(channels("#e8ebee"));
  function shade(colour) {
    var base = channels(colour);
    for (var factor = 1; factor > -0.01; factor -= 0.02) {
      var rgb = base.map(function (c) { return Math.max(0, Math.min(255, Math.round(c * factor))); });
      if ((tint + 0.05) / (luminance(rgb) + 0.05) >= 4.5) { return hex(rgb); }
    }
    return "#000000";
  }
  function paint(preview, colour) {
    var s = shade(colour);
    preview.querySelectorAll("[data-role]").forEach(function (el) {
      var role = el.getAttribute("data-role");
      if (role === "stripe") { el.style.backgroundColor = colour; }
      if (role === "text") { el.style.color = s; }
      if (role === "fill") { el.style.backgroundColor = s; el.style.borderColor = s; }
      if (role === "shade") { el.textContent = s; }
    });
  }
  document.querySelectorAll("[data-colour-for]").forEach(function (picker) {
    var field = document.getElementById(picker.getAttribute("data-colour-for"));
    var preview = document.querySelector('[data-preview-for="' + field.id + '"]');
    picker.hidden = false;
    function update(colour) { if (colour && preview) { paint(preview, colour); } }
    picker.addEventListener("input", function () { field.value = picker.value; update(picker.value); });
    field.addEventListener("input", function () {
      var c = parse(field.value);
      if (c) { picker.value = c; }
      update(c);
    });
    update(parse(field.value));
  });
})();

// A refused form: focus the error summary so screen readers and keyboards
// start there (autofocus does it too where supported).
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();

// Filter panels are open on wide screens (on phones they stay folded
// unless a filter is set; without script they follow that rule everywhere).
(function () {
  if (window.matchMedia && window.matchMedia("(min-width: 800px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
})();

// "Select all" on lists with row checkboxes, and the count of chosen rows.
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = function () {
      return Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name="' + name + '"]'));
    };
    var count = document.querySelector("[data-selected-count]");
    var update = function () {
      var chosen = boxes().filter(function (b) { return b.checked; }).length;
      all.checked = chosen > 0 && chosen === boxes().length;
      all.indeterminate = chosen > 0 && chosen < boxes().length;
      if (count) { count.textContent = chosen > 0 ? "(" + chosen + ")" : ""; }
      // On phones the bar waits until someone is chosen (see app.css).
      document.querySelectorAll("[data-bulk-bar]").forEach(function (bar) {
        bar.classList.toggle("idle", chosen === 0);
      });
    };
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes().forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();

// A running task's page: with script, its progress is fetched and put in
// place every two seconds (without script the page refreshes itself).
(function () {
  var live = document.querySelector("[data-task-live][data-task-running]");
  if (!live || !window.fetch || !window.DOMParser) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-task-live]");
        if (!fresh) { return; }
        live.innerHTML = fresh.innerHTML;
        if (fresh.hasAttribute("data-task-running")) {
          window.setTimeout(poll, 2000);
        } else {
          live.removeAttribute("data-task-running");
          live.setAttribute("role", "status");
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());

// QR code page: "Link kopieren" and "Bild kopieren" through the Clipboard
// API; where it is missing or refused, the link is selected for Ctrl+C.
(function () {
  var source = document.querySelector("[data-copy-source]");
  var status = document.querySelector("[data-copy-status]");
  if (!source || !status) { return; }
  function say(key) { status.textContent = status.getAttribute(key); }
  function selectLink() { source.focus(); source.select(); say("data-copy-failed"); }
  var linkButton = document.querySelector("[data-copy-link]");
  if (linkButton) {
    linkButton.hidden = false;
    linkButton.addEventListener("click", function () {
      if (!navigator.clipboard || !navigator.clipboard.writeText) { selectLink(); return; }
      navigator.clipboard.writeText(source.value).then(function () { say("data-copied"); }, selectLink);
    });
  }
  var imageButton = document.querySelector("[data-copy-image]");
  var image = document.querySelector("[data-qr-image]");
  if (imageButton && image && window.ClipboardItem && navigator.clipboard && navigator.clipboard.write) {
    imageButton.hidden = false;
    imageButton.addEventListener("click", function () {
      var png = fetch(image.src, { credentials: "same-origin" }).then(function (res) {
        return res.ok ? res.blob() : Promise.reject(res.status);
      });
      navigator.clipboard.write([new ClipboardItem({ "image/png": png })])
        .then(function () { say("data-copied"); }, selectLink);
    });
  }
})();
