// main.js: the map scene, the legend and filters, keyboard and pointer handling, start-up.
var M = D.M;
var mapScene = {
  mode: "map",
  nodes: M.n.map(function (r, id) {
    var rec = KG.tables[r[0]][r[1]];
    rec.node = id;
    return { id: id, rec: rec, kind: KG.kindOf[r[0]], x: r[2], y: r[3], size: r[4], cluster: r[5] };
  }),
  edges: [],
  clusters: []
};
for (var e = 0; e + 4 <= M.e.length; e += 4) {
  mapScene.edges.push({ id: e / 4, from: M.e[e], to: M.e[e + 1], style: M.styles[M.e[e + 2]], w: M.e[e + 3] / 1000 });
}
D.K.names.forEach(function (name, k) {
  var disc = D.K.discs[k];
  // Coloured clusters, and the grey ones big enough to name.
  if (disc[2] > 0 && (k < D.K.coloured || D.K.papers[k] >= 5)) {
    mapScene.clusters.push({ k: k, name: name, colour: D.K.colours[k], papers: D.K.papers[k], x: disc[0], y: disc[1], r: disc[2] });
  }
});
if (D.K.grid) {
  var g = D.K.grid;
  var loose = mapScene.nodes.filter(function (n) { return n.cluster < 0; }).length;
  mapScene.clusters.push({ k: -1, name: "linked to nothing (" + loose + ")", colour: D.K.other, papers: 0,
                           x: (g[0] + g[2]) / 2, y: g[1] - 24, r: Math.max(g[2] - g[0], g[3] - g[1]) / 2 });
}
mapScene.byKey = {};
mapScene.nodes.forEach(function (n) { mapScene.byKey[n.rec.type + ":" + n.rec.i] = n.id; });
KG.mapScene = mapScene;
KG.drawnPapers = mapScene.nodes.filter(function (n) { return n.kind === "paper"; }).length;

KG.summary = function () {
  if (KG.scene && KG.scene.mode === "focus") {
    return "Focus on “" + KG.papers[KG.scene.origin].title + "” and its " + plural(KG.scene.near.papers.length, "nearest paper") + ".";
  }
  var total = Object.keys(D.total).reduce(function (s, k) { return s + (k === "source" ? 0 : D.total[k]); }, 0);
  return plural(KG.papers.length, "paper") + " in " + plural(D.K.coloured, "cluster") + " · " +
    mapScene.nodes.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " nodes drawn" +
    (KG.drawnPapers < KG.papers.length ? " (" + plural(KG.drawnPapers, "paper") + ")" : "") + "." +
    (D.sample && D.sample.rule ? " Papers drawn: " + D.sample.rule + "." : "");
};

// Similar papers worth the name: links from the confidence of a similarity link up (the
// page data carries it, from kg.view.tables.SIMILAR_CONFIDENCE).
KG.similarConfidence = D.E.conf !== undefined ? D.E.conf / 10000 : 0;
KG.similarOf = function (p) { return p.similar.filter(function (s) { return s.w >= KG.similarConfidence; }); };

// Filters --------------------------------------------------------------------------------
KG.filters = { kinds: {}, styles: {}, from: D.years ? D.years[0] : 0, to: D.years ? D.years[1] : 9999 };
M.kinds.forEach(function (k) { KG.filters.kinds[k] = true; });
M.styles.forEach(function (s) { KG.filters.styles[s] = true; });

KG.applyFilters = function () {
  var f = KG.filters, scene = KG.scene, nodeChanges = [], edgeChanges = [];
  scene.nodes.forEach(function (n) {
    var year = n.kind === "paper" ? n.rec.when : 0;
    var hidden = f.kinds[n.kind] === false || (year > 0 && (year < f.from || year > f.to));
    if (!!n.hidden !== hidden) { n.hidden = hidden; nodeChanges.push({ id: n.id, hidden: hidden }); }
  });
  scene.edges.forEach(function (e) {
    var hidden = f.styles[e.style] === false || !!scene.byId[e.from].hidden || !!scene.byId[e.to].hidden;
    if (!!e.hidden !== hidden) { e.hidden = hidden; edgeChanges.push({ id: e.id, hidden: hidden }); }
  });
  if (nodeChanges.length) { KG.visNodes.update(nodeChanges); }
  // (Links vis has yet to get are given to it as they are then.)
  if (edgeChanges.length && !KG.edgesPending) { KG.visEdges.update(edgeChanges); }
  if (KG.highlight && KG.shown) { KG.open(KG.shown, { from: "map" }); } else { KG.network.redraw(); }
};

function section(title) {
  var box = el("div");
  box.appendChild(el("h3", title));
  return box;
}
function count(n) { return el("span", n.toLocaleString("en"), "n"); }
function stroke(style) {
  var s = KG.edgeStyle(style), line = el("span", null, "stroke");
  line.style.borderTop = Math.max(1.5, s.width * 1.6) + "px " + (s.dashes ? (s.dashes[0] <= 2 ? "dotted" : "dashed") : "solid") + " " + s.colour;
  return line;
}

function buildControls() {
  var box = document.getElementById("controls");
  box.replaceChildren();
  if (D.notes.length) {
    var notes = section("Not drawn");
    D.notes.forEach(function (note) { notes.appendChild(el("p", note, "notes")); });
    box.appendChild(notes);
  }
  var clusters = section("Clusters (click to highlight)");
  D.legend.forEach(function (row, k) {
    var b = el("button", null, "row");
    b.type = "button";
    b.setAttribute("aria-pressed", "false");
    b.appendChild(KG.el("span", null, "swatch")).style.background = row[1];
    var words = el("span", null, "terms");
    // Each name term with its share of the cluster's papers: how much of it the name describes.
    (row[3] || []).forEach(function (term, t) {
      if (t) { words.appendChild(document.createTextNode(", ")); }
      words.appendChild(document.createTextNode(term[0]));
      words.appendChild(el("small", " " + Math.round(term[1] * 100) + "%", "share"));
    });
    if (!row[3] || !row[3].length) { words.textContent = row[0]; }
    b.appendChild(words);
    b.appendChild(count(row[2]));
    if (row[3] && row[3].length) {
      b.title = row[0] + ": together on " + Math.round(row[4] * 100) + "% of its " + row[2].toLocaleString("en") + " papers";
    }
    b.addEventListener("click", function () { toggleCluster(k, b); });
    clusters.appendChild(b);
  });
  var others = KG.papers.filter(function (p) { return p.cluster < 0 || p.cluster >= D.K.coloured; }).length;
  if (others) {
    var o = el("button", null, "row");
    o.type = "button";
    o.setAttribute("aria-pressed", "false");
    o.appendChild(KG.el("span", null, "swatch")).style.background = D.K.other;
    o.appendChild(document.createTextNode("other clusters (grey, named on the map) and unlinked papers"));
    o.appendChild(count(others));
    o.addEventListener("click", function () { toggleCluster(D.K.coloured, o); });
    clusters.appendChild(o);
  }
  box.appendChild(clusters);
  if (D.years) {
    var years = section(D.timeUnit === "month" ? "Months" : "Years");
    var colour = el("label");
    var check = el("input");
    check.type = "checkbox";
    check.id = "colour-year";
    check.addEventListener("change", function () { KG.colourBy = check.checked ? "year" : "cluster"; KG.recolour(); KG.network.redraw(); });
    colour.appendChild(check);
    colour.appendChild(document.createTextNode(D.timeUnit === "month" ? "Colour papers by month" : "Colour papers by year"));
    years.appendChild(colour);
    var ramp = el("div", null, "ramp");
    ramp.style.background = "linear-gradient(to right, " + KG.yearColour(D.years[0]) + ", " + KG.yearColour(D.years[1]) + ")";
    years.appendChild(ramp);
    var grid = el("div", null, "years");
    [["from", "From"], ["to", "To"]].forEach(function (pair) {
      var input = el("input");
      input.type = "range";
      input.min = D.years[0];
      input.max = D.years[1];
      input.value = KG.filters[pair[0]];
      input.id = "year-" + pair[0];
      input.setAttribute("aria-label", pair[1] + (D.timeUnit === "month" ? " month" : " year"));
      var out = el("output", KG.whenText(+input.value));
      input.addEventListener("input", function () {
        KG.filters[pair[0]] = parseInt(input.value, 10);
        out.textContent = KG.whenText(+input.value);
        KG.applyFilters();
      });
      grid.appendChild(el("span", pair[1]));
      grid.appendChild(input);
      grid.appendChild(out);
    });
    years.appendChild(grid);
    years.appendChild(el("p", "Papers without a known date stay shown.", "notes"));
    var axis = el("button", D.timeUnit === "month" ? "Papers by month, a band per cluster" : "Papers by year, a band per cluster", "linkish");
    axis.type = "button";
    axis.id = "time-view";
    axis.addEventListener("click", function () { KG.timeView(); });
    years.appendChild(axis);
    box.appendChild(years);
  }
  if (D.sizeBy) { box.appendChild(el("p", "Size: " + D.sizeBy + "; concepts by their papers.", "notes")); }
  var kinds = section("Show");
  var density = el("label"), densityBox = el("input");
  densityBox.type = "checkbox";
  densityBox.id = "density";
  densityBox.addEventListener("change", function () { KG.density = densityBox.checked; KG.network.redraw(); });
  density.appendChild(densityBox);
  density.appendChild(document.createTextNode("density of papers (shaded by cluster)"));
  kinds.appendChild(density);
  var names = { paper: "papers", concept: "concepts", repo: "repositories", page: "project pages", owner: "code owners", author: "authors" };
  var shapes = { paper: "●", concept: "◆", repo: "■", page: "■", owner: "⬢", author: "▲" };
  M.kinds.forEach(function (k) {
    var label = el("label"), input = el("input");
    input.type = "checkbox";
    input.checked = true;
    input.addEventListener("change", function () { KG.filters.kinds[k] = input.checked; KG.applyFilters(); });
    label.appendChild(input);
    label.appendChild(document.createTextNode(shapes[k] + " " + names[k]));
    label.appendChild(count(mapScene.nodes.filter(function (n) { return n.kind === k; }).length));
    kinds.appendChild(label);
  });
  box.appendChild(kinds);
  if (!M.styles.length) { box.appendChild(section("Keys")).appendChild(el("p", "/ search · Esc clear", "keys")); return; }
  var links = section("Links");
  M.styles.forEach(function (s) {
    var label = el("label"), input = el("input");
    input.type = "checkbox";
    input.checked = true;
    input.addEventListener("change", function () { KG.filters.styles[s] = input.checked; KG.applyFilters(); });
    label.appendChild(input);
    label.appendChild(stroke(s));
    label.appendChild(document.createTextNode(KG.edgeStyle(s).label));
    label.appendChild(count(mapScene.edges.filter(function (x) { return x.style === s; }).length));
    links.appendChild(label);
  });
  box.appendChild(links);
  var keys = section("Keys");
  keys.appendChild(el("p", "/ search · ↑ ↓ Enter pick a result · 0 fit · + − zoom · arrows pan · Esc clear · double-click a paper for its focus view", "keys"));
  box.appendChild(keys);
}

// A legend row stays pressed while its cluster is what the panel shows; anything else shown
// (or Escape) releases it, so the next click on it presses it again.
var pressed = null, hovering = false, hoverSaved = null;
function toggleCluster(k, button) {
  var again = pressed === button;
  KG.releaseLegend();
  if (again) { KG.clearSelection(); KG.status(KG.summary()); return; }
  if (KG.scene.mode !== "map") { KG.showMap(); }
  KG.open({ type: "cluster", k: k }, { from: "legend" });
  pressed = button;
  button.setAttribute("aria-pressed", "true");
}
KG.releaseLegend = function () {
  if (pressed) { pressed.setAttribute("aria-pressed", "false"); pressed = null; }
};
KG.onSceneChange = function () {
  KG.releaseLegend();
  // A hover's saved highlight belongs to the scene it was made in.
  hovering = false;
  hoverSaved = null;
};

// Pointer --------------------------------------------------------------------------------
var card = document.getElementById("hovercard");
function showCard(lines, pointer) {
  card.replaceChildren();
  card.appendChild(el("div", lines[0], "t"));
  lines.slice(1).forEach(function (line) { if (line) { card.appendChild(el("div", line, "m")); } });
  card.hidden = false;
  var stage = document.getElementById("stage");
  var x = Math.min(pointer.x + 14, stage.clientWidth - card.offsetWidth - 6);
  var y = pointer.y + 14 + card.offsetHeight > stage.clientHeight ? pointer.y - card.offsetHeight - 10 : pointer.y + 14;
  card.style.left = Math.max(4, x) + "px";
  card.style.top = Math.max(4, y) + "px";
}
function hideCard() { card.hidden = true; }

function nodeLines(n) {
  var rec = n.rec, lines = [KG.nameOf(rec)];
  if (rec.type === "paper") {
    lines.push([KG.dateText(rec), KG.clusterName(rec.cluster)].filter(Boolean).join(" · "));
    lines.push(rec.concepts.slice(0, 4).map(function (c) { return KG.concepts[c].label; }).join(", "));
    var citing = rec.cites.length + rec.citedBy.length;
    lines.push(plural(KG.similarOf(rec).length, "similar paper") + (citing ? " · " + plural(citing, "citation link") : ""));
  } else if (rec.type === "concept") {
    lines.push("concept · " + plural(rec.count, "paper") + (rec.alt.length ? " · also " + rec.alt.slice(0, 3).join(", ") : ""));
  } else {
    lines.push(KG.kindName[rec.type] + " · " + plural(rec.papers.length, "paper"));
    if (rec.url) { lines.push(rec.url); }
  }
  return lines;
}
function edgeLines(e) {
  var a = KG.scene.byId[e.from].rec, b = KG.scene.byId[e.to].rec, s = KG.edgeStyle(e.style);
  var lines = [s.label, KG.shortLabel(a) + (s.arrows ? " → " : " — ") + KG.shortLabel(b)];
  if (e.style.indexOf("similar") === 0) {
    var shared = a.concepts.filter(function (c) { return b.concepts.indexOf(c) >= 0; }).map(function (c) { return KG.concepts[c].label; });
    lines.push("weight " + e.w.toFixed(2) + (shared.length ? " · shared: " + shared.slice(0, 5).join(", ") : ""));
  }
  return lines;
}

// The cluster whose name is drawn at a point of the map (-1: none).
function clusterNameAt(point) {
  var hit = KG.visibleLabels.filter(function (l) {
    return l.cluster !== undefined && point.x >= l.rect[0] && point.x <= l.rect[2] && point.y >= l.rect[1] && point.y <= l.rect[3];
  });
  return hit.length ? hit[0].cluster : -1;
}
KG.clusterNameAt = clusterNameAt;

var dragging = false;
function wirePointer(network) {
  network.on("click", function (params) {
    hideCard();
    var named = clusterNameAt(params.pointer.DOM);
    // A cluster's name opens the cluster, not the paper drawn under it.
    if (named >= 0) { KG.open({ type: "cluster", k: named }, { from: "map" }); }
    else if (params.nodes.length) { KG.open(KG.scene.byId[params.nodes[0]].rec, { from: "map" }); }
    else if (!params.edges.length && KG.shown) { KG.clearSelection(); KG.status(KG.summary()); }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length && clusterNameAt(params.pointer.DOM) < 0) {
      var rec = KG.scene.byId[params.nodes[0]].rec;
      if (rec.type === "paper") { KG.focusOn(rec.i); }
    }
  });
  network.on("hoverNode", function (params) {
    var n = KG.scene.byId[params.node];
    // Over a cluster's name the name stays (a click opens the cluster), so no node hover.
    if (!n || dragging || clusterNameAt(params.pointer.DOM) >= 0) { return; }
    showCard(nodeLines(n), params.pointer.DOM);
    hovering = true;
    hoverSaved = KG.highlight;
    KG.setHighlight(KG.neighbourhood(n.id));
    KG.highlight.origin = n.id;
  });
  network.on("blurNode", function () {
    hideCard();
    if (!hovering) { return; }
    hovering = false;
    KG.highlight = hoverSaved || null;
    hoverSaved = null;
    network.redraw();
  });
  network.on("hoverEdge", function (params) {
    var edge = KG.scene.edges[params.edge];
    if (edge && !dragging && !KG.scene.byId[edge.from].hidden) { showCard(edgeLines(edge), params.pointer.DOM); }
  });
  network.on("blurEdge", hideCard);
  // No hover cards while a button is down (a drag in the making) or the map is dragged.
  var box = document.getElementById("graph");
  box.addEventListener("pointerdown", function () { dragging = true; hideCard(); });
  window.addEventListener("pointerup", function () { dragging = false; });
  window.addEventListener("pointercancel", function () { dragging = false; });
  network.on("dragStart", function () { dragging = true; hideCard(); });
  network.on("dragEnd", function () { dragging = false; });
  network.on("zoom", function () {
    hideCard();
    // The wheel zooms no further than the buttons do.
    var scale = network.getScale(), kept = KG.clampScale(scale);
    if (kept !== scale) { network.moveTo({ position: network.getViewPosition(), scale: kept, animation: false }); }
  });
}

// Keyboard -------------------------------------------------------------------------------
KG.escape = function () {
  if (KG.shown || KG.highlight) { KG.clearSelection(); KG.status(KG.summary()); }
  else if (KG.scene.mode !== "map") { KG.showMap(); }
};
document.addEventListener("keydown", function (ev) {
  var t = ev.target;
  var typing = (t.tagName === "INPUT" && t.type !== "checkbox" && t.type !== "range") || t.tagName === "TEXTAREA";
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
  var pan = 120 / KG.network.getScale(), at = KG.network.getViewPosition();
  var moves = { ArrowLeft: [-pan, 0], ArrowRight: [pan, 0], ArrowUp: [0, -pan], ArrowDown: [0, pan] };
  if (ev.key === "Tab" && !ev.shiftKey && (t === document.body || t.id === "graph" || t.classList.contains("vis-network"))) {
    // From the map, Tab goes to the search box first.
    ev.preventDefault();
    document.getElementById("search").focus();
  } else if (ev.key === "/") { ev.preventDefault(); document.getElementById("search").focus(); }
  else if (ev.key === "0") { KG.fit(true); }
  else if (ev.key === "+" || ev.key === "=") { KG.zoom(1.3); }
  else if (ev.key === "-" || ev.key === "_") { KG.zoom(1 / 1.3); }
  else if (ev.key === "Escape") { KG.escape(); }
  else if (moves[ev.key] && t.type !== "range") {
    ev.preventDefault();
    KG.moveTo({ position: { x: at.x + moves[ev.key][0], y: at.y + moves[ev.key][1] }, scale: KG.network.getScale() }, 120);
  }
});

// Start ----------------------------------------------------------------------------------
var network = KG.createNetwork(mapScene);
buildControls();
wirePointer(network);
document.getElementById("fit").addEventListener("click", function () { KG.fit(true); });
document.getElementById("zoom-in").addEventListener("click", function () { KG.zoom(1.3); });
document.getElementById("zoom-out").addEventListener("click", function () { KG.zoom(1 / 1.3); });
document.getElementById("focus-back").addEventListener("click", function () { KG.showMap(); });
document.getElementById("sidetoggle").addEventListener("click", function () {
  KG.openSheet(!document.getElementById("side").classList.contains("open"));
});
if (window.matchMedia) {
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
    KG.themeNow = null; KG.recolour(); network.redraw();
  });
}
KG.fit(false);
KG.status(KG.summary());
if (!mapScene.nodes.length) {
  // Nothing to draw: say why on the map itself (search still finds every paper).
  var empty = el("div", "Nothing drawn. " + (D.notes.length ? D.notes.join("; ") + "." : "The build has no nodes of the chosen kinds."), "empty");
  document.getElementById("stage").appendChild(empty);
}
if (D.focus !== null && D.focus !== undefined) { KG.focusOn(D.focus); }
// The first frame is the one vis has asked for (drawing it here as well drew it twice).
network.once("afterDrawing", function () { document.body.setAttribute("data-ready", "1"); });
