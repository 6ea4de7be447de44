/* HSM boards: drag and drop on top of the move buttons (progressive enhancement only).
   Dropping a card on another column submits that card's own move form for that column, so
   the server checks the move exactly as when the button is pressed, and htmx swaps the card.
   A drop where no move is open puts the card back and says why in the board's alert region.
   The buttons stay: the keyboard path is the first way, this one is extra. */
(function () {
  "use strict";

  function say(board, text) {
    var alert = document.getElementById(board.getAttribute("data-board-dnd") + "-alert");
    if (!alert) { return; }
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.textContent = text;
    alert.replaceChildren(p);
  }

  function putBack(event) {
    var before = event.from.children[event.oldIndex] || null;
    event.from.insertBefore(event.item, before);
  }

  function dropped(board, event) {
    if (event.from === event.to) { return; }
    var card = event.item;
    var state = event.to.getAttribute("data-board-state");
    putBack(event);
    var input = card.querySelector('form input[name="target"][value="' + state + '"]');
    if (input && input.form) {
      var button = input.form.querySelector("button[type=submit]");
      if (button && !button.disabled) { button.click(); }
      return;
    }
    var text = (board.getAttribute("data-dnd-refused") || "")
      .replace("{name}", card.getAttribute("data-card-title") || "")
      .replace("{state}", event.to.getAttribute("data-board-label") || state);
    var blocked = card.querySelector('.board__blocked [data-target="' + state + '"]');
    say(board, blocked ? blocked.textContent : text);
  }

  function enable(root) {
    if (typeof window.Sortable === "undefined") { return; }
    var boards = root.querySelectorAll ? root.querySelectorAll("[data-board-dnd]") : [];
    Array.prototype.forEach.call(boards, function (board) {
      Array.prototype.forEach.call(board.querySelectorAll("ul[data-board-state]"), function (list) {
        if (list.hasAttribute("data-dnd-ready")) { return; }
        list.setAttribute("data-dnd-ready", "");
        window.Sortable.create(list, {
          group: board.getAttribute("data-board-dnd"),
          sort: false,
          draggable: ".board__card",
          filter: "button, a, input, select, textarea",
          preventOnFilter: false,
          forceFallback: true,
          fallbackOnBody: true,
          onEnd: function (event) { dropped(board, event); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  document.addEventListener("htmx:load", function (event) { enable(event.target); });
}());
