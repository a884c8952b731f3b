// The ask page's reassign box (改派): as one types, the application suggests matter names and agency labels
// (/ask/suggest) and they are offered in the box's <datalist>. Suggestions are set as text, never as markup.
// Without this script the box still works: the words typed are sent and read by the server.
(function () {
  "use strict";
  var box = document.getElementById("target");
  var list = document.getElementById("targets");
  if (!box || !list || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";

  function fill(items) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.value;
      option.label = item.label;
      list.appendChild(option);
    });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var words = box.value.trim();
      if (!words || words === asked) {
        return;
      }
      asked = words;
      var url = box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(words);
      window.fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (items) { if (words === asked) { fill(items); } })
        .catch(function () { fill([]); });
    }, 150);
  });
}());
