// The hosted waiting room: asks where the place is every few seconds and updates the page
// in place (a live region, no reload while waiting); when the turn comes it reloads, and the
// turn's page takes the customer to the shop. Without script the page has a "Check again"
// link and a <noscript> refresh.
(function () {
  "use strict";
  var root = document.getElementById("place");
  if (!root) { return; }
  var continueUrl = root.getAttribute("data-continue-url");
  if (root.getAttribute("data-state") === "admitted" && continueUrl) {
    window.setTimeout(function () { window.location.assign(continueUrl); }, 3000);
    return;
  }
  if (root.getAttribute("data-state") !== "waiting") { return; }
  var pollUrl = root.getAttribute("data-poll-url");
  var position = document.getElementById("position");
  var wait = document.getElementById("wait");
  var oneMinute = root.getAttribute("data-one-minute");
  var minutes = root.getAttribute("data-minutes");

  function poll() {
    fetch(pollUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("poll " + response.status); }
        return response.json();
      })
      .then(function (place) {
        if (place.status !== "waiting") { window.location.reload(); return; }
        position.textContent = String(place.position);
        var wanted = Math.ceil(place.estimatedWaitSeconds / 60);
        wait.textContent = wanted <= 1 ? oneMinute : minutes.replace("%(minutes)s", String(wanted));
        // The service says when to ask again: often near the turn, seldom far from it.
        window.setTimeout(poll, Math.max(place.pollAfterSeconds, 1) * 1000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }

  window.setTimeout(poll, (Number(root.getAttribute("data-poll-after")) || 3) * 1000);
})();
