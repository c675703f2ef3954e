// Litso live updates. The page listens to /live/ (server-sent events, see workspace/live.py)
// and reloads only the parts that changed, never what the agent is busy with: a reply being
// typed, ticked rows, a changed form, an open menu. The ticket page also shows who else is
// on the ticket and tells the others while this agent types a reply.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="litso-live"]');
  if (!meta || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var presence = document.getElementById("presence");
  var dashboard = document.querySelector("[data-live-refresh]");
  var onInbox = !!document.getElementById("inbox-main");
  if (!onInbox && !presence && !dashboard) return;

  var params = new URLSearchParams({ since: meta.getAttribute("data-since") || "" });
  if (presence) params.set("ticket", presence.getAttribute("data-ticket"));
  var source = new EventSource(meta.getAttribute("content") + "?" + params.toString());
  // Leaving the page frees the server's slot at once (and clears our presence there).
  window.addEventListener("pagehide", function () { source.close(); });

  function keyOf(element) {
    return element.id || element.className || element.tagName;
  }

  function edited(root) {
    var fields = root.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden") continue;
      if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) return true;
        }
      } else if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // The agent is using this part of the page: leave it as it is.
  function busy(element) {
    var active = document.activeElement;
    if (active && active !== document.body && element.contains(active) &&
        /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(active.tagName)) return true;
    if (element.querySelector("details[open] form, dialog[open]")) return true;
    return edited(element);
  }

  var loading = false;
  var again = null;

  // Fetch this page anew and put in the parts named by `selectors` that `keep` allows.
  function reload(selectors, keep, done) {
    if (loading) { again = [selectors, keep, done]; return; }
    loading = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Litso-Live": "1" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("reload: " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        selectors.forEach(function (selector) {
          var byKey = {};
          fresh.querySelectorAll(selector).forEach(function (element) {
            byKey[keyOf(element)] = element;
          });
          document.querySelectorAll(selector).forEach(function (old) {
            var replacement = byKey[keyOf(old)];
            if (!replacement || (keep && !keep(old))) return;
            var adopted = document.importNode(replacement, true);
            old.replaceWith(adopted);
            if (window.htmx) window.htmx.process(adopted);
          });
        });
        if (done) done();
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () {
        loading = false;
        if (again) { var next = again; again = null; reload(next[0], next[1], next[2]); }
      });
  }

  // --- the inbox: new and changed tickets appear; a bar when the agent is busy with the list
  var waiting = 0;
  var bar = null;

  function inboxBusy() {
    var main = document.getElementById("inbox-main");
    if (!main) return true;
    if (main.querySelector("tbody input[type=checkbox]:checked")) return true;
    var active = document.activeElement;
    return !!(active && main.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }

  function showBar() {
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "live-bar";
      bar.setAttribute("role", "status");
      var text = document.createElement("span");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = meta.getAttribute("data-show") || "Show";
      button.addEventListener("click", function () { refreshInbox(true); });
      bar.appendChild(text);
      bar.appendChild(button);
      document.body.appendChild(bar);
    }
    var template = meta.getAttribute("data-updates") || "Updates: %(count)s";
    bar.firstChild.textContent = template.replace("%(count)s", String(waiting));
    bar.hidden = false;
  }

  function refreshInbox(force) {
    if (!force && inboxBusy()) { showBar(); return; }
    var current = document.querySelector("[data-list] tr.is-current");
    var href = current && current.getAttribute("data-href");
    reload(["nav.views", "#inbox-main"], null, function () {
      waiting = 0;
      if (bar) bar.hidden = true;
      if (!href) return;
      var row = document.querySelector('[data-list] tr[data-href="' + href + '"]');
      if (row) row.classList.add("is-current");
    });
  }

  // --- the ticket page: the conversation and panels follow; presence and typing
  function refreshTicket() {
    var seen = {};
    var unfolded = {};
    document.querySelectorAll(".timeline > li[id]").forEach(function (entry) {
      seen[entry.id] = true;
      if (entry.querySelector("details[open]")) unfolded[entry.id] = true;
    });
    reload([".ticket-head", ".timeline", "aside.side > section"], function (old) {
      return !busy(old);
    }, function () {
      document.querySelectorAll(".timeline > li[id]").forEach(function (entry) {
        if (!seen[entry.id]) entry.classList.add("fresh");
        // A quote the agent unfolded stays unfolded.
        if (unfolded[entry.id]) entry.querySelectorAll("details").forEach(function (d) { d.open = true; });
      });
    });
  }

  function showPresence(visitors) {
    presence.textContent = "";
    visitors.forEach(function (visitor) {
      var item = document.createElement("li");
      item.textContent = visitor.text;
      if (visitor.replying) item.className = "replying";
      presence.appendChild(item);
    });
    presence.hidden = visitors.length === 0;
  }

  function typingSignal() {
    var box = document.getElementById("reply-body");
    var form = document.getElementById("reply-form");
    var url = presence.getAttribute("data-typing-url");
    if (!box || !form || !url) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var lastSent = 0;
    var announced = false;

    function send(state) {
      var body = new URLSearchParams({ state: state });
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
        body: body
      }).catch(function () {});
    }

    box.addEventListener("input", function () {
      var now = Date.now();
      // The server holds "replying" for 8 s; a signal every 4 s keeps it while typing goes on.
      if (now - lastSent > 4000) { lastSent = now; announced = true; send("replying"); }
    });
    box.addEventListener("blur", function () {
      if (announced) { announced = false; lastSent = 0; send("idle"); }
    });
  }

  // At most one reload per `interval`, however many changes arrive: on a busy desk every
  // open inbox would otherwise be drawn again at every poll.
  function throttled(action, interval) {
    var last = 0;
    var timer = null;
    return function () {
      if (timer) return;
      timer = window.setTimeout(function () {
        timer = null;
        last = Date.now();
        action();
      }, Math.max(0, last + interval - Date.now()));
    };
  }

  // --- the dashboard: reloaded on changes and as time passes
  var refreshDashboard = throttled(function () { reload(["#dashboard"], null, null); }, 5000);
  var refreshList = throttled(function () { refreshInbox(false); }, 4000);

  function changed(count) {
    if (presence) refreshTicket();
    else if (dashboard) refreshDashboard();
    else { waiting += count; refreshList(); }
  }

  source.addEventListener("change", function (event) {
    var data = JSON.parse(event.data);
    changed(data.changes ? data.changes.length : 1);
  });
  source.addEventListener("reset", function () { changed(1); });
  if (presence) {
    source.addEventListener("presence", function (event) {
      showPresence(JSON.parse(event.data).visitors || []);
    });
    typingSignal();
  }
  if (dashboard) {
    // Deadlines come closer with no event at all: a breach is a matter of the clock.
    window.setInterval(refreshDashboard, 30000);
  }
})();
