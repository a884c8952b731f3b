/* The charts of the audit dashboard and the capacity page, drawn with the vendored ECharts from the JSON the page
   carries (<script type="application/json" id="...-chart-data">). When a chart has finished drawing its container
   gets data-drawn="1" (the browser tests wait for it). Clicking a rule's bar goes to that rule's findings; clicking a
   township's bar opens the township's page. Nothing is fetched. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var SEVERITY_COLOUR = { high: "#b3261e", medium: "#c77700", low: "#5f6b7a" };
  var SEVERITY_ZH = { high: "高", medium: "中", low: "低" };

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, option, onClick) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.on("finished", function () { node.setAttribute("data-drawn", "1"); });
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function horizontalBars(names, series) {
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: series.length > 2 ? 56 : 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { interval: 0 } },
      series: series
    };
  }

  var audit = data("audit-chart-data");
  if (audit) {
    var rules = audit.by_rule;
    draw("chart-rule", horizontalBars(rules.map(function (r) { return r.zh + " " + r.rule; }),
      ["high", "medium", "low"].map(function (s) {
        return { name: SEVERITY_ZH[s] + " " + s, type: "bar", stack: "all", itemStyle: { color: SEVERITY_COLOUR[s] },
                 data: rules.map(function (r) { return r.by_severity[s] || 0; }) };
      })), function (e) {
      var r = rules[e.dataIndex];
      if (r) { window.location.hash = "rule-" + r.rule; }
    });
    var towns = audit.by_township;
    draw("chart-township", horizontalBars(towns.map(function (t) { return t.name; }),
      [{ name: "发现 findings", type: "bar", itemStyle: { color: "#2f5d8a" },
         data: towns.map(function (t) { return t.count; }) }]), function (e) {
      var t = towns[e.dataIndex];
      if (t) { window.location.href = "/township/" + encodeURIComponent(t.code); }
    });
  }

  var capacity = data("capacity-chart-data");
  if (capacity) {
    var rows = capacity.townships;
    var names = rows.map(function (t) { return t.name; });
    draw("chart-capacity", horizontalBars(names, [
      { name: "下放事项 delegated items", type: "bar", itemStyle: { color: "#2f5d8a" },
        data: rows.map(function (t) { return t.delegated_items; }) },
      { name: "持证执法人员 certified enforcers", type: "bar", itemStyle: { color: "#3c8d5a" },
        data: rows.map(function (t) { return t.certified_enforcers; }) },
      { name: "下放事项办件 cases", type: "bar", itemStyle: { color: "#c77700" },
        data: rows.map(function (t) { return t.cases_on_delegated; }) }
    ]), function (e) {
      var t = rows[e.dataIndex];
      if (t) { window.location.href = "/township/" + encodeURIComponent(t.code); }
    });
    if (capacity.cooperation) {
      var co = capacity.cooperation;
      draw("chart-cooperation", horizontalBars(co.map(function (t) { return t.name; }), [
        { name: "配合事项 cooperation items", type: "bar", itemStyle: { color: "#6a4c93" },
          data: co.map(function (t) { return t.count; }),
          markLine: capacity.median === null ? undefined : { symbol: "none", label: { formatter: "中位数 median {c}" },
                                                             data: [{ xAxis: capacity.median }] } }
      ]));
    }
  }
}());
