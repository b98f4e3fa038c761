// Park overview: the trend of the main indicators (one small bar chart each) and exchanges by status.
"use strict";
(function () {
  const data = window.parkloopData && parkloopData("overview-data");
  if (!data || !window.echarts) return;
  const lang = document.documentElement.lang || "zh-CN";
  const number = (value) => Number(value).toLocaleString(lang, { maximumSignificantDigits: 4 });
  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => (css.getPropertyValue(name) || fallback).trim();
  const brand = colour("--brand", "#0f766e");
  const warn = colour("--heat", "#c2410c");
  const charts = [];

  /** An ECharts instance that marks its container data-ready once it has drawn. */
  function chartIn(element) {
    const chart = echarts.init(element);
    chart.on("finished", () => { element.dataset.ready = "true"; });
    return chart;
  }

  function trendChart(element, trend) {
    const chart = chartIn(element);
    const cols = 2;
    const rows = Math.ceil(trend.series.length / cols);
    const cellH = 100 / rows;
    const titles = [], grids = [], xAxes = [], yAxes = [], series = [];
    trend.series.forEach((s, i) => {
      const col = i % cols, row = Math.floor(i / cols);
      const left = col * 50 + 2, top = row * cellH;
      titles.push({ text: s.title, left: `${left}%`, top: `${top + 1}%`,
                    textStyle: { fontSize: 12, fontWeight: 600, color: "#1f2933", width: element.clientWidth * 0.46,
                                 overflow: "truncate" } });
      grids.push({ left: `${left + 7}%`, width: "38%", top: `${top + 8}%`, height: `${cellH - 15}%` });
      xAxes.push({ type: "category", gridIndex: i, data: trend.years, axisTick: { show: false },
                   axisLabel: { fontSize: 10, color: "#52606d" } });
      yAxes.push({ type: "value", gridIndex: i, splitNumber: 2,
                   axisLabel: { fontSize: 10, color: "#52606d", formatter: number } });
      series.push({
        type: "bar", name: s.label, xAxisIndex: i, yAxisIndex: i, barMaxWidth: 22,
        data: s.points.map((p) => ({ value: p.value, text: p.text, partial: p.partial,
                                     itemStyle: { color: p.partial ? warn : brand } })),
      });
    });
    chart.setOption({
      animation: false, title: titles, grid: grids, xAxis: xAxes, yAxis: yAxes, series,
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const s = trend.series[p.seriesIndex];
          const note = p.data.partial ? `<br>${data.labels.partial}` : "";
          return `${p.name}<br><b>${s.label}</b>: ${p.data.text} ${p.data.value === null ? "" : s.unit}${note}`;
        },
      },
    });
    return chart;
  }

  const STATUS_COLOURS = { proposed: "#d97706", accepted: "#b45309", delivering: "#92400e",
                           completed: colour("--ok", "#15803d"), declined: "#9aa5b1", cancelled: "#7b8794" };

  function statusChart(element, statuses) {
    const chart = chartIn(element);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 36 },
      xAxis: { type: "category", data: statuses.map((s) => s.label), axisTick: { show: false },
               axisLabel: { interval: 0, color: "#52606d" } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#52606d" } },
      tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${number(p.value)}` },
      series: [{ type: "bar", name: data.labels.exchanges, barMaxWidth: 38,
                 label: { show: true, position: "top", formatter: (p) => number(p.value) },
                 data: statuses.map((s) => ({ value: s.count, itemStyle: { color: STATUS_COLOURS[s.status] || brand } })) }],
    });
    return chart;
  }

  const trendElement = document.getElementById("trend-chart");
  if (trendElement) charts.push(trendChart(trendElement, data.trend));
  const statusElement = document.getElementById("status-chart");
  if (statusElement) charts.push(statusChart(statusElement, data.statuses));
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
