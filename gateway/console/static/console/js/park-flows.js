// Material flows: one ECharts Sankey per unit, from the JSON the page carries beside each chart.
"use strict";
(function () {
  if (!window.echarts || !window.parkloopData) return;
  const labels = parkloopData("flows-labels") || {};
  const escape = (text) => String(text).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const css = getComputedStyle(document.documentElement);
  const KIND_COLOURS = {
    material: (css.getPropertyValue("--material") || "#7c3aed").trim(),
    heat: (css.getPropertyValue("--heat") || "#c2410c").trim(),
    water: (css.getPropertyValue("--water") || "#0369a1").trim(),
  };
  const charts = [];
  const CROWDED_NODES = 60;

  document.querySelectorAll("[data-sankey]").forEach((element) => {
    const data = parkloopData(element.dataset.sankey);
    if (!data) return;
    const chart = echarts.init(element);
    chart.on("finished", () => { element.dataset.ready = "true"; });
    const sources = new Set(data.links.map((l) => l.source));
    const crowded = data.nodes.length > CROWDED_NODES;
    const labelOf = Object.fromEntries(data.nodes.map((n) => [n.name, n.label]));
    const links = data.links.map((l) => ({
      source: l.source, target: l.target, value: l.value, detail: l,
      lineStyle: { color: KIND_COLOURS[l.kinds[0]] || "#0f766e", opacity: 0.35 },
    }));
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          if (p.dataType === "edge") {
            const d = p.data.detail;
            const codes = d.codes.length ? `<br>${escape(labels.codes || "")}: ${d.codes.map(escape).join(", ")}` : "";
            return `${escape(d.supplier)} → ${escape(d.receiver)}<br>${d.kinds.map(escape).join(", ")}${codes}` +
                   `<br><b>${escape(d.amount)}</b> · ${d.exchanges} ${escape(labels.exchanges || "")}`;
          }
          return escape(labelOf[p.name] || p.name);
        },
      },
      series: [{
        // A large park has thousands of pairs: no relaxation passes and tighter nodes keep it drawable.
        type: "sankey", left: 8, right: 8, top: 12, bottom: 12, nodeWidth: 14, nodeGap: crowded ? 1 : 14,
        layoutIterations: crowded ? 0 : 64, draggable: false, emphasis: { focus: "adjacency" },
        // Receivers that pass nothing on sit in the last column: their names go on the left, inside the chart.
        data: data.nodes.map((n) => ({ name: n.name, itemStyle: { color: "#115e59", borderColor: "#115e59" },
                                       label: sources.has(n.name) ? {} : { position: "left" } })),
        links,
        label: {
          show: !crowded, color: "#1f2933", fontSize: 12, width: Math.max(120, element.clientWidth * 0.3), overflow: "truncate",
          formatter: (p) => labelOf[p.name] || p.name,
        },
      }],
    });
    // What was drawn, for anyone checking the diagram against the ledger.
    element.dataset.drawnLinks = String(chart.getOption().series[0].links.length);
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
