// Type-ahead (the ask page's reassign box, the path page's boxes): every <input data-suggest="URL" list="ID"> asks
// URL?q=… as one types and offers the answers in its <datalist>. Suggestions are set as text, never as markup. Without this script the boxes
// still work: the words typed are sent and read by the server.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest][list]"), function (box) {
    var list = document.getElementById(box.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var asked = "";
    function fill(items) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
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
        if (!words || words === asked) { return; }
        asked = words;
        window.fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(words),
                     {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) { if (words === asked) { fill(items); } })
          .catch(function () { fill([]); });
      }, 150);
    });
  });
}());
