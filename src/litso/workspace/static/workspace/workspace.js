// Litso workspace: keyboard shortcuts and the few behaviours plain HTML lacks.
// Shortcuts: j/k next/previous row, Enter open, r reply, n note, a assign to me, s solve,
// / go to a ticket, ? this list. Nothing fires while the agent types in a field.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-list] tr[data-href]"));
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (row) { return row.classList.contains("is-current"); });
    var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    if (index >= 0) all[index].classList.remove("is-current");
    all[next].classList.add("is-current");
    all[next].scrollIntoView({ block: "nearest" });
  }

  function openCurrent() {
    var row = document.querySelector("[data-list] tr.is-current");
    if (row) window.location.href = row.getAttribute("data-href");
  }

  function focusField(id, openDetails) {
    var field = document.getElementById(id);
    if (!field) return false;
    if (openDetails) {
      var details = document.getElementById(openDetails);
      if (details) details.open = true;
    }
    field.focus();
    field.scrollIntoView({ block: "center" });
    return true;
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (form) form.requestSubmit();
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter":
        if (document.querySelector("[data-list] tr.is-current")) openCurrent(); else handled = false;
        break;
      case "r": handled = focusField("reply-body"); break;
      case "n": handled = focusField("note-body", "note-section"); break;
      case "a": submit("assign-me-form"); break;
      case "s": submit("solve-form"); break;
      case "/": handled = focusField("search"); break;
      case "?": showShortcuts(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  var replyTouched = false;
  document.addEventListener("focusin", function (event) {
    if (event.target.id === "reply-body") replyTouched = true;
  });

  // Canned answers: the chosen text (already in the ticket's language, placeholders filled)
  // goes where the cursor is in the reply box; without JavaScript the button posts instead.
  function insertCanned(button) {
    var picker = button.closest("[data-canned]");
    var select = picker && picker.querySelector("select");
    var box = document.getElementById("reply-body");
    if (!select || !box) return false;
    if (!select.value) { select.focus(); return true; }
    var source = document.getElementById("canned-" + select.value);
    if (!source) return false;
    var text = source.content.textContent;
    // Where the agent left the cursor; at the end if they never were in the box.
    var start = replyTouched ? box.selectionStart : box.value.length;
    var end = replyTouched ? box.selectionEnd : box.value.length;
    box.setRangeText(text, start, end, "end");
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    select.value = "";
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-show-shortcuts]")) {
      showShortcuts();
      return;
    }
    var canned = target.closest("[data-insert-canned]");
    if (canned) {
      if (insertCanned(canned)) event.preventDefault();
      return;
    }
    // A click anywhere on a row opens the ticket, except on its links and checkboxes.
    var row = target.closest("[data-list] tr[data-href]");
    if (row && !target.closest("a, input, label, button")) {
      window.location.href = row.getAttribute("data-href");
    }
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) return;
    var boxes = document.querySelectorAll("[data-list] tbody input[type=checkbox]");
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
})();
