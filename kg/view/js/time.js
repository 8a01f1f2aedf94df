// time.js: the drawn papers on a time axis, Litmaps style: a column per month (or year), a
// band per coloured cluster (grey clusters share the last band), so a reader sees when each
// topic's papers appeared.  Papers without a date are left out of this view and counted.
var TIME_PER_ROW = 8;  // papers side by side in one month's cell
var TIME_STEP = 22;    // between papers in a cell

KG.timeView = function () {
  var from = D.years[0], to = D.years[1];
  var bands = D.K.coloured + 1;
  var cells = {}, undated = 0, tallest = [];
  for (var b0 = 0; b0 < bands; b0++) { tallest.push(1); }
  KG.mapScene.nodes.forEach(function (n) {
    if (n.kind !== "paper") { return; }
    if (!n.rec.when) { undated++; return; }
    var band = n.rec.cluster >= 0 && n.rec.cluster < D.K.coloured ? n.rec.cluster : D.K.coloured;
    var key = band + ":" + n.rec.when;
    (cells[key] = cells[key] || []).push(n);
    tallest[band] = Math.max(tallest[band], Math.ceil(cells[key].length / TIME_PER_ROW));
  });
  // Each band is as tall as its fullest month; a month's cell fills rows left to right.
  var column = TIME_PER_ROW * TIME_STEP + 40, top = [0];
  tallest.forEach(function (rows, band) { top.push(top[band] + rows * TIME_STEP + 50); });
  var nodes = [], where = {};
  Object.keys(cells).sort().forEach(function (key) {
    var band = +key.split(":")[0], when = +key.split(":")[1];
    cells[key].sort(function (a, b) { return b.size - a.size || a.id - b.id; }).forEach(function (n, k) {
      where[n.id] = nodes.length;
      nodes.push({ id: nodes.length, rec: n.rec, kind: "paper", size: Math.min(n.size, 9), cluster: n.cluster,
                   x: (when - from) * column + 20 + (k % TIME_PER_ROW) * TIME_STEP,
                   y: top[band] + 25 + Math.floor(k / TIME_PER_ROW) * TIME_STEP });
    });
  });
  var edges = [];
  KG.mapScene.edges.forEach(function (e) {
    if (where[e.from] !== undefined && where[e.to] !== undefined && e.style.indexOf("similar") === 0) {
      edges.push({ id: edges.length, from: where[e.from], to: where[e.to], style: e.style, w: e.w });
    }
  });
  var labels = [];
  for (var b = 0; b < bands; b++) {
    labels.push({ k: b < D.K.coloured ? b : -1, name: b < D.K.coloured ? D.K.names[b] : "other clusters",
                  colour: b < D.K.coloured ? D.K.colours[b] : D.K.other, papers: 1,
                  x: -column * 0.8, y: (top[b] + top[b + 1]) / 2, r: 20 });
  }
  for (var t = from; t <= to; t++) {
    labels.push({ k: -2, name: (t === from && D.before ? "≤ " : "") + KG.whenText(t), colour: D.K.other, papers: 1, x: (t - from + 0.5) * column, y: -30, r: 20 });
  }
  var scene = { mode: "time", nodes: nodes, edges: edges, clusters: labels, byKey: {} };
  nodes.forEach(function (n) { scene.byKey["paper:" + n.rec.i] = n.id; });
  if (KG.scene && KG.scene.mode === "map") { KG.mapView = { position: KG.network.getViewPosition(), scale: KG.network.getScale() }; }
  KG.setScene(scene);
  KG.applyFilters();
  document.getElementById("focusbar").hidden = false;
  document.getElementById("focus-title").textContent = "Drawn papers by " + (D.timeUnit === "month" ? "month" : "year");
  KG.fit(false);
  KG.status(plural(nodes.length, "drawn paper") + " by " + (D.timeUnit === "month" ? "month" : "year") + ", a band per cluster" +
    (undated ? "; " + plural(undated, "paper") + " without a date left out" : "") + ". Escape or “Back to the map” returns.");
  KG.onSceneChange();
};
