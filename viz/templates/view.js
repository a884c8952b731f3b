// Draws the view: the data is JSON in #quanze-data (never executed); tooltips become text nodes, never HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quanze-data").textContent);

  function tip(text) {
    var box = document.createElement("div");
    box.className = "quanze-tip";
    text.split("\n").forEach(function (line, i) {
      var p = document.createElement(i === 0 ? "strong" : "div");
      p.textContent = line;
      box.appendChild(p);
    });
    return box;
  }
  [data.nodes, data.edges].forEach(function (items) {
    items.forEach(function (item) {
      if (typeof item.title === "string" && item.title) { item.title = tip(item.title); } else { delete item.title; }
    });
  });

  // globals pyvis's neighbourhoodHighlight (lib/bindings/utils.js) works on
  window.nodes = new vis.DataSet(data.nodes);
  window.edges = new vis.DataSet(data.edges);
  window.allNodes = window.nodes.get({returnType: "Object"});
  window.nodeColors = {};
  window.highlightActive = false;
  Object.keys(window.allNodes).forEach(function (id) { window.nodeColors[id] = window.allNodes[id].color; });

  var container = document.getElementById("mynetwork");
  var network = window.network = new vis.Network(container, {nodes: window.nodes, edges: window.edges}, data.options);
  network.on("click", neighbourhoodHighlight);
  network.on("afterDrawing", function () {  // what was drawn, for tests: every draw, so the last one counts
    document.body.dataset.nodes = String(network.body.nodeIndices.length);
    document.body.dataset.edges = String(network.body.edgeIndices.length);
    document.body.dataset.canvas = String(container.getElementsByTagName("canvas").length);
    document.body.dataset.resources = String(performance.getEntriesByType("resource").length);  // loads: none
    document.body.dataset.drawn = "true";
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});  // laid out: nodes now stay where an official drags them
    network.fit();
    network.redraw();  // with physics off nothing else would draw a graph that stabilized before its first frame
    document.getElementById("status").textContent = "";
    document.body.dataset.stabilized = "true";
    document.body.dataset.layoutMs = String(Math.round(performance.now()));  // page start to laid out
  });
})();
