// Park map: enterprises, the year's completed flows and the open offers and wants, drawn on coordinates
// with Leaflet circle markers and polylines. No tile server unless the operator configured one.
"use strict";
(function () {
  const element = document.getElementById("park-map");
  if (!element || !window.L || !window.parkloopData) return;
  const data = parkloopData(element.dataset.map);
  if (!data) return;
  const labels = data.labels;
  const css = getComputedStyle(document.documentElement);
  const pick = (name, fallback) => (css.getPropertyValue(name) || fallback).trim();
  const COLOURS = { material: pick("--material", "#7c3aed"), heat: pick("--heat", "#c2410c"),
                    water: pick("--water", "#0369a1") };
  const ENTERPRISE = pick("--brand-dark", "#115e59");
  const LABELLED_ENTERPRISES = 80;
  const escape = (text) => String(text).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  /** Andrew's monotone chain: the convex hull of [lat, lon] points, in order. */
  function convexHull(input) {
    const pts = input.map((p) => [p[1], p[0]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    if (pts.length < 3) return [];
    const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    const half = (points) => {
      const out = [];
      points.forEach((p) => {
        while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
        out.push(p);
      });
      out.pop();
      return out;
    };
    return half(pts).concat(half(pts.slice().reverse())).map((p) => [p[1], p[0]]);
  }

  const tileUrl = element.dataset.tileUrl;
  const map = L.map(element, { attributionControl: Boolean(tileUrl), zoomSnap: 0.5 });
  // Flows and listings go on one canvas rather than one SVG element each: a large park has thousands.
  const canvas = L.canvas({ padding: 0.2 });
  // Names stay on screen while they can be read; in a large park they show on hover.
  const permanentNames = data.enterprises.length <= LABELLED_ENTERPRISES;
  if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // Where to look: every enterprise, every listing, the park's centroid.
  const points = data.enterprises.map((e) => [e.lat, e.lon]);
  if (data.centroid) points.push(data.centroid);
  if (points.length > 1) {
    // Room on the right for the names and the legend.
    map.fitBounds(L.latLngBounds(points), { paddingTopLeft: [48, 40], paddingBottomRight: [240, 40], maxZoom: 15 });
  } else {
    map.setView(points[0] || [35, 105], points.length ? 14 : 4);
  }

  // The park's extent: a faint outline around its enterprises (the convex hull, drawn first, beneath all).
  const hull = convexHull(data.enterprises.map((e) => [e.lat, e.lon]));
  if (hull.length >= 3) {
    L.polygon(hull, { color: ENTERPRISE, weight: 1, dashArray: "4 4", fillColor: ENTERPRISE, fillOpacity: 0.04,
                      interactive: false, className: "park-outline" }).addTo(map);
  }

  // Flows beneath the markers: width follows the quantity, scaled within each unit.
  data.flows.forEach((f) => {
    L.polyline([f.from, f.to], { color: COLOURS[f.kind] || ENTERPRISE, weight: f.width, opacity: 0.55,
                                 lineCap: "round", className: "flow-line", renderer: canvas })
      .bindTooltip(`${escape(f.supplier)} → ${escape(f.receiver)}<br>${escape(labels.kinds[f.kind] || f.kind)}: ` +
                   `<b>${escape(f.amount)}</b> · ${f.exchanges} ${escape(labels.exchanges)}`, { sticky: true })
      .addTo(map);
  });

  // What was drawn on the canvas (no element per line or marker there), for anyone checking the map.
  element.dataset.flowLines = String(data.flows.length);

  // Open offers (filled) and wants (hollow) around the point they share with their enterprise.
  const placed = [];
  function drawListings(listings) {
    const groups = new Map();
    listings.forEach((l) => {
      const key = `${l.lat},${l.lon}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(l);
    });
    groups.forEach((group) => {
      // On the left half of the ring, from top to bottom: the enterprise's name label sits on the right.
      const n = group.length;
      const radius = 12 + 2.5 * n;
      group.forEach((l, i) => {
        const angle = -Math.PI / 2 - (n > 1 ? (Math.PI * i) / (n - 1) : 0);
        const colour = COLOURS[l.kind] || ENTERPRISE;
        const marker = L.circleMarker([l.lat, l.lon], {
          radius: 5.5, color: colour, weight: 2, fillColor: l.side === "offer" ? colour : "#ffffff",
          fillOpacity: l.side === "offer" ? 0.9 : 1, className: `listing-marker listing-${l.side} kind-${l.kind}`,
          renderer: canvas,
        }).bindTooltip(`<b>${escape(l.side === "offer" ? labels.offer : labels.want)}</b> · ` +
                       `${escape(labels.kinds[l.kind] || l.kind)}<br>${escape(l.title)}` +
                       `${l.quantity ? ` · ${escape(l.quantity)}` : ""}<br>${escape(l.enterprise)}`).addTo(map);
        placed.push({ marker, base: L.latLng(l.lat, l.lon), offset: L.point(Math.cos(angle) * radius, Math.sin(angle) * radius) });
      });
    });
    place();
  }

  function place() {
    placed.forEach((p) => p.marker.setLatLng(map.layerPointToLatLng(map.latLngToLayerPoint(p.base).add(p.offset))));
  }
  map.on("zoomend", place);

  // Enterprises on top.
  data.enterprises.forEach((e) => {
    L.circleMarker([e.lat, e.lon], { radius: 7, color: ENTERPRISE, weight: 2.5, fillColor: "#ffffff", fillOpacity: 1,
                                     className: "enterprise-marker" })
      .bindTooltip(escape(e.name), { permanent: permanentNames, direction: "right", offset: [10, 0],
                                     className: "enterprise-label" }).addTo(map);
  });
  element.dataset.enterpriseMarkers = String(data.enterprises.length);

  // The legend, built from text nodes (names are data, not markup).
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const box = L.DomUtil.create("div", "map-legend");
    const row = (swatchClass, style, text) => {
      const line = L.DomUtil.create("div", "legend-row", box);
      const swatch = L.DomUtil.create("span", `legend-swatch ${swatchClass}`, line);
      Object.assign(swatch.style, style);
      const label = L.DomUtil.create("span", "", line);
      label.textContent = text;
    };
    row("dot", { borderColor: ENTERPRISE, background: "#fff" }, labels.enterprise);
    Object.keys(COLOURS).forEach((kind) => {
      row("line", { background: COLOURS[kind] }, labels.kinds[kind]);
    });
    row("dot", { borderColor: "#52606d", background: "#52606d" }, labels.offers_filled);
    row("dot", { borderColor: "#52606d", background: "#fff" }, labels.wants_hollow);
    const note = L.DomUtil.create("div", "legend-note", box);
    note.textContent = labels.flow;
    return box;
  };
  legend.addTo(map);
  element.dataset.ready = "true";

  // The park's open listings, loaded onto the drawn map page by page (a large park has thousands).
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", { maximumFractionDigits: 0 });
  const fewDigits = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", { maximumSignificantDigits: 4 });
  // Four significant digits, never rounding away integer digits: the console's rule (formatting.py).
  const human = (value) => (Math.abs(Number(value)) >= 1000 ? numbers : fewDigits).format(Number(value));
  function quantity(item) {
    const spec = item[item.kind] || {};
    if (item.kind === "heat" && spec.thermal_power_mw != null) return `${human(spec.thermal_power_mw)} MW`;
    if (item.kind === "water" && spec.flow_m3_per_day != null) return `${human(spec.flow_m3_per_day)} m³/d`;
    const q = spec.quantity || {};
    return q.amount != null ? `${human(q.amount)} ${labels.units[q.unit] || q.unit || ""}`.trim() : "";
  }
  const byId = new Map(data.enterprises.map((e) => [e.id, e]));
  function asListing(side, item) {
    const owner = byId.get(item.enterprise_id);
    const where = item.location || (owner ? { lat: owner.lat, lon: owner.lon } : null);
    if (!where) return null;
    return { side, kind: item.kind, title: item.title || "", enterprise: owner ? owner.name : "",
             lat: where.lat, lon: where.lon, quantity: quantity(item) };
  }
  const source = data.listings;
  async function page(side, number) {
    const query = new URLSearchParams({ ...source.params, page: number, page_size: source.page_size });
    const response = await fetch(`${source.api}${side}?${query}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${side} page ${number}: HTTP ${response.status}`);
    return response.json();
  }
  async function allOf(side) {
    const first = await page(side, 1);
    const pages = Math.ceil(first.total / source.page_size);
    const rest = [];
    for (let n = 2; n <= pages; n += 4) {  // a few at a time, not hundreds at once
      const batch = [];
      for (let k = n; k < Math.min(n + 4, pages + 1); k += 1) batch.push(page(side, k));
      rest.push(...(await Promise.all(batch)));
    }
    return [first, ...rest].flatMap((answer) => answer.items).map((item) => asListing(side.slice(0, -1), item))
      .filter(Boolean);
  }
  const status = L.DomUtil.create("div", "map-loading", element);
  status.setAttribute("role", "status");
  status.textContent = labels.loading;
  Promise.all(source.sides.map(allOf)).then((sides) => {
    const listings = sides.flat();
    drawListings(listings);
    element.dataset.listingMarkers = String(listings.length);
    status.remove();
  }).catch(() => {
    status.textContent = labels.load_failed;
    status.classList.add("failed");
  }).finally(() => {
    element.dataset.listingsReady = "true";
  });
})();
