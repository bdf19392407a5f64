// Light progressive enhancement for the console; every page works without it.
(function () {
  "use strict";

  // Ask before irreversible actions (refunds), then block a second submit (a double click);
  // the server refuses a repeated refund anyway.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") || !window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "true");
    });
  });

  // "Copy" next to a secret shown once: to the clipboard, and say so on the button.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () { button.textContent = button.getAttribute("data-done") || "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  // The door page: fetch the figures every few seconds and update the numbers in place.
  var live = document.getElementById("door-live");
  if (!live) return;
  var every = Math.max(2, parseInt(live.getAttribute("data-every"), 10) || 5) * 1000;

  function cell(text, header) {
    var el = document.createElement(header ? "th" : "td");
    if (header) el.setAttribute("scope", "row"); else el.className = "num";
    el.textContent = text;
    return el;
  }

  function fill(body, rows, columns, empty) {
    body.replaceChildren();
    if (!rows.length && empty) {
      var td = document.createElement("td");
      td.colSpan = columns.length;
      td.textContent = empty;
      var tr0 = document.createElement("tr");
      tr0.appendChild(td);
      body.appendChild(tr0);
      return;
    }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      columns.forEach(function (column, i) {
        var value = row[column];
        tr.appendChild(cell(i === 0 && !value ? (body.getAttribute("data-no-gate") || "(no gate)") : String(value), i === 0));
      });
      body.appendChild(tr);
    });
  }

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? v : v[k]; }, data);
  }

  function refresh() {
    fetch(live.getAttribute("data-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        live.querySelectorAll("[data-figure]").forEach(function (el) {
          var value = pick(data, el.getAttribute("data-figure"));
          if (value == null) return;
          el.textContent = el.getAttribute("data-figure") === "at" ? String(value).slice(11, 19) : value;
        });
        var gates = live.querySelector('[data-rows="gates"]');
        fill(gates, data.gates, ["gate", "in", "out"], gates.getAttribute("data-empty"));
        fill(live.querySelector('[data-rows="tiers"]'), data.tiers, ["tierName", "inside", "toArrive", "valid"]);
        live.removeAttribute("data-stale");
      })
      .catch(function () { live.setAttribute("data-stale", "true"); })
      .finally(function () { window.setTimeout(refresh, every); });
  }
  window.setTimeout(refresh, every);
})();
