// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Live countdowns: <span class="countdown" data-deadline="ISO" data-risk="ISO">.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var risk = el.dataset.risk ? Date.parse(el.dataset.risk) : null;
      var left = Math.round((deadline - now) / 1000);
      var sign = left < 0 ? "-" : "";
      var s = Math.abs(left);
      var text = sign + (s >= 86400 ? Math.floor(s / 86400) + "d " : "") +
        pad(Math.floor((s % 86400) / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
      el.textContent = text;
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("at-risk", left >= 0 && risk !== null && now >= risk);
      var row = el.closest("tr");
      if (row) {
        row.classList.toggle("breached", left < 0);
        row.classList.toggle("at-risk", left >= 0 && risk !== null && now >= risk);
      }
    });
  }

  // Caller lookup as you type: the server renders the panel, we swap it in.
  function lookup() {
    var input = document.querySelector("[data-lookup]");
    if (!input) return;
    var target = document.getElementById(input.dataset.lookup);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) return;
        fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html === null || input.value.trim() !== q) return;
            target.innerHTML = html;
            // One customer found: the form takes it, with the caller and site it matched.
            var cards = target.querySelectorAll("[data-customer]");
            if (cards.length === 1) chooseFromCard(cards[0], false);
          });
      }, 250);
    });
  }

  // The call form follows the chosen customer: its callers, sites, items and contracts.
  function callForm() { return document.querySelector("form[data-call-form]"); }

  function chooseCustomer(customerId, picks) {
    var form = callForm();
    if (!form) return Promise.resolve();
    var select = form.querySelector("select[name=customer]");
    if (select && select.value !== customerId) select.value = customerId;
    if (!customerId) return Promise.resolve();
    var url = form.dataset.optionsUrl + "?customer=" + encodeURIComponent(customerId);
    return fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data).forEach(function (name) {
          var field = form.querySelector("select[name=" + name + "]");
          if (!field) return;
          var wanted = (picks && picks[name]) || data[name].initial;
          field.innerHTML = "";
          data[name].options.forEach(function (pair) {
            var option = document.createElement("option");
            option.value = pair[0]; option.textContent = pair[1];
            field.appendChild(option);
          });
          field.value = wanted;
          if (field.value !== wanted) field.value = "";
        });
      });
  }

  function chooseFromCard(card, focus) {
    var form = callForm();
    if (!form) return false;
    var picks = { contact: card.dataset.contact, site: card.dataset.site, covered_item: card.dataset.item };
    chooseCustomer(card.dataset.customer, picks).then(function () {
      var summary = form.querySelector("[name=summary]");
      if (focus && summary) summary.focus();
    });
    return true;
  }

  function callFormFollowsCustomer() {
    var form = callForm();
    if (!form) return;
    var refresh = form.querySelector("[data-refresh]");
    if (refresh) refresh.hidden = true;
    var select = form.querySelector("select[name=customer]");
    if (select) select.addEventListener("change", function () { chooseCustomer(select.value, null); });
    document.addEventListener("click", function (e) {
      var link = e.target.closest("[data-choose-customer]");
      if (!link) return;
      var card = link.closest("[data-customer]");
      if (card && chooseFromCard(card, true)) e.preventDefault();
    });
  }

  // Where the browser allows it, fill in the location on check-in forms.
  function geolocate() {
    document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
      var note = form.querySelector("[data-location-note]");
      // Denied or unavailable: say so before the engineer checks in without a position.
      function notShared() { if (note && note.dataset.denied) note.textContent = note.dataset.denied; }
      if (!navigator.geolocation) { notShared(); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy);
        if (note) note.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      }, notShared, { timeout: 8000, maximumAge: 60000 });
    });
  }

  // Signature pad: draw with finger or mouse; the PNG goes in a hidden field.
  function signaturePads() {
    document.querySelectorAll("canvas.signature").forEach(function (canvas) {
      var form = canvas.closest("form");
      var field = form.querySelector("[name=signature]");
      var ctx = canvas.getContext("2d");
      function fit() {
        var ratio = window.devicePixelRatio || 1;
        canvas.width = canvas.clientWidth * ratio;
        canvas.height = canvas.clientHeight * ratio;
        ctx.scale(ratio, ratio);
        ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
      }
      fit();
      var drawing = false, drawn = false;
      function point(e) {
        var rect = canvas.getBoundingClientRect();
        return [e.clientX - rect.left, e.clientY - rect.top];
      }
      canvas.addEventListener("pointerdown", function (e) {
        drawing = true; canvas.setPointerCapture(e.pointerId);
        var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
      });
      canvas.addEventListener("pointermove", function (e) {
        if (!drawing) return;
        var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
      });
      canvas.addEventListener("pointerup", function () {
        drawing = false;
        if (drawn) field.value = canvas.toDataURL("image/png");
      });
      var clear = form.querySelector("[data-clear-signature]");
      if (clear) clear.addEventListener("click", function (e) {
        e.preventDefault(); ctx.clearRect(0, 0, canvas.width, canvas.height); field.value = ""; drawn = false;
      });
    });
  }

  // The queue refreshes its rows every 15 s under the same filters, without a reload.
  var QUEUE_POLL_MS = 15000;
  function queuePolling() {
    var table = document.querySelector("table[data-poll-url]");
    if (!table) return;
    var body = table.tBodies[0];
    var count = document.querySelector("[data-queue-count]");
    function refresh() {
      if (document.hidden) return;
      fetch(table.dataset.pollUrl + window.location.search, { headers: { "X-Requested-With": "fetch" } })
        .then(function (r) {
          if (!r.ok) return null;
          if (count && r.headers.get("X-Queue-Count") !== null) count.textContent = r.headers.get("X-Queue-Count");
          return r.text();
        })
        .then(function (html) { if (html !== null) { body.innerHTML = html; tick(); } })
        .catch(function () {});
    }
    setInterval(refresh, QUEUE_POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  }

  // <details data-wide-open> (the header's menu, filters): always open on wide screens, where
  // the CSS hides their button; folded on phones. Escape or a click elsewhere closes the menu.
  var wide = window.matchMedia("(min-width: 900px)");
  function wideOpen() {
    var folds = document.querySelectorAll("details[data-wide-open]");
    // On load a phone keeps what the server chose (filters with errors arrive open).
    if (wide.matches) folds.forEach(function (d) { d.open = true; });
    if (wide.addEventListener) wide.addEventListener("change", function () {
      folds.forEach(function (d) { d.open = wide.matches; });
    });
  }
  function headerMenu() {
    var menu = document.querySelector("details[data-menu]");
    if (!menu) return;
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.open && !wide.matches) { menu.open = false; menu.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (e) {
      if (menu.open && !wide.matches && !menu.contains(e.target)) menu.open = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    queuePolling(); wideOpen(); headerMenu();
    tick(); setInterval(tick, 1000);
    lookup(); callFormFollowsCustomer(); geolocate(); signaturePads();
  });
})();
