// draw.js: the vis-network drawing of a scene (the map, or a paper's focus view), and what
// the page draws over it: cluster names, node labels that never overprint, and highlights
// (a node and its neighbours, a cluster, a concept's papers) with the rest dimmed.
var SHAPES = { paper: "dot", concept: "diamond", repo: "square", page: "square", owner: "hexagon", author: "triangle" };
var BASIS_DASH = { concepts: false, text: [7, 4], references: [2, 3], citations: [9, 3, 2, 3] };
var BASIS_NAME = {
  concepts: "share concepts", text: "similar text", references: "share references",
  citations: "cited together", embedding: "similar embedding"
};
var EDGE = {
  similar: { label: "similar papers", colour: "#5f7590", width: 0.8, opacity: 0.75 },
  cites: { label: "cites", colour: "#c23b22", width: 1.3, arrows: true, opacity: 0.85 },
  mentions: { label: "names another paper's method", colour: "#8e44ad", width: 1.1, dashes: [5, 3], arrows: true, opacity: 0.85 },
  subject: { label: "paper → its concept", colour: "#c8a26c", width: 0.5, opacity: 0.25 },
  related: { label: "concepts used together", colour: "#c8a26c", width: 0.6, dashes: [2, 3], opacity: 0.3 },
  broader: { label: "concept → broader concept", colour: "#9a7100", width: 1.2, arrows: true, opacity: 0.8 },
  code: { label: "code: repository, owner, project page", colour: "#3d9a5d", width: 0.8, dashes: [3, 2], opacity: 0.7 },
  creator: { label: "author of a paper", colour: "#9b59b6", width: 0.6, opacity: 0.6 },
  overlap: { label: "much in common (shared concepts)", colour: "#8d9bb0", width: 0.6, dashes: [2, 3], opacity: 0.6 }
};
KG.EDGE = EDGE;

KG.edgeStyle = function (name) {
  var parts = name.split(":"), base = EDGE[parts[0]] || { label: parts[0], colour: "#888", width: 0.6, opacity: 0.5 };
  var style = Object.assign({}, base);
  if (parts[0] === "similar") {
    var basis = parts[1] || "concepts";
    style.dashes = BASIS_DASH[basis] === undefined ? [4, 4] : BASIS_DASH[basis];
    style.label = "similar papers (" + (BASIS_NAME[basis] || basis) + ")";
  }
  return style;
};

function hexToRgb(hex) {
  var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [128, 128, 128];
}
function mix(hex, other, t) {
  var a = hexToRgb(hex), b = hexToRgb(other);
  return "#" + a.map(function (v, i) { return ("0" + Math.round(v + (b[i] - v) * t).toString(16)).slice(-2); }).join("");
}
KG.mix = mix;
function rgba(colour, alpha) {
  if (colour.indexOf("rgb(") === 0) { return colour.replace("rgb(", "rgba(").replace(")", "," + alpha + ")"); }
  var c = hexToRgb(colour);
  return "rgba(" + c.join(",") + "," + alpha + ")";
}

// Scenes -------------------------------------------------------------------------------
// A scene node: {id, rec, kind, x, y, size, cluster, colour}; a scene edge: {id, from, to, style, w}.
KG.colourBy = "cluster";
function nodeColour(n) {
  if (KG.colourBy === "year" && n.kind === "paper") { return KG.yearColour(n.rec.when); }
  if (KG.colourBy === "year") { return D.K.other; }
  return n.colour || KG.clusterColour(n.cluster);
}
function visNode(n) {
  var fill = nodeColour(n), theme = KG.themeNow || (KG.themeNow = KG.theme());
  var border = mix(fill.charAt(0) === "#" ? fill : "#888888", "#000000", 0.35);
  return {
    id: n.id, x: n.x, y: n.y, size: n.size, shape: SHAPES[n.kind] || "dot", borderWidth: 1, borderWidthSelected: 3,
    color: { background: fill, border: border, highlight: { background: fill, border: theme.fg },
             hover: { background: fill, border: theme.fg } },
    hidden: !!n.hidden
  };
}
function visEdge(e) {
  var s = KG.edgeStyle(e.style);
  var width = e.style.indexOf("similar") === 0 ? 0.5 + 3.5 * Math.min(1, e.w) : e.style === "overlap" ? 0.4 + 1.2 * e.w : s.width;
  return {
    id: e.id, from: e.from, to: e.to, width: width, dashes: s.dashes || false,
    color: { color: s.colour, opacity: s.opacity, highlight: s.colour, hover: s.colour },
    arrows: s.arrows ? { to: { enabled: true, scaleFactor: 0.45 } } : undefined,
    hidden: !!e.hidden
  };
}
KG.visNode = visNode;

KG.setScene = function (scene) {
  KG.scene = scene;
  scene.byId = {};
  scene.adj = {};
  scene.nodes.forEach(function (n) { scene.byId[n.id] = n; scene.adj[n.id] = []; });
  scene.edges.forEach(function (e) { scene.adj[e.from].push(e); scene.adj[e.to].push(e); });
  // Labels are tried in this order: large nodes first; concepts before papers of one size.
  scene.ranked = scene.nodes.slice().sort(function (a, b) {
    return b.size - a.size || (a.kind === "concept" ? -1 : 0) - (b.kind === "concept" ? -1 : 0) || a.id - b.id;
  });
  scene.labels = {};
  KG.highlight = null;
  document.getElementById("hovercard").hidden = true;
  // New data sets for each scene (clearing and refilling the old ones leaves vis with a
  // stale list of visible edges).
  KG.visNodes = new vis.DataSet(scene.nodes.map(visNode));
  // The page's first frame draws the map's links plainly (motion.js) and vis gets them once
  // it is drawn: vis builds each link slowly, a large part of the first frame of a big map.
  KG.edgesPending = !KG.network;
  KG.visEdges = new vis.DataSet(KG.edgesPending ? [] : scene.edges.map(visEdge));
  window.kgNodes = KG.visNodes;
  if (KG.network) { KG.network.setData({ nodes: KG.visNodes, edges: KG.visEdges }); }
};

KG.recolour = function () {
  KG.visNodes.update(KG.scene.nodes.map(function (n) {
    var v = visNode(n);
    return { id: v.id, color: v.color };
  }));
};

// The network ----------------------------------------------------------------------------
// Density, as VOSviewer's cluster density view: each shown paper spreads its cluster's
// colour around it, so crowded regions of the map stand out.
KG.density = false;
function drawDensity(ctx) {
  var radius = 70, scene = KG.scene;
  ctx.save();
  scene.nodes.forEach(function (n) {
    if (n.hidden || n.kind !== "paper") { return; }
    var colour = nodeColour(n), g = ctx.createRadialGradient(n.x, n.y, 0, n.x, n.y, radius);
    g.addColorStop(0, rgba(colour, 0.22));
    g.addColorStop(1, rgba(colour, 0));
    ctx.fillStyle = g;
    ctx.fillRect(n.x - radius, n.y - radius, 2 * radius, 2 * radius);
  });
  ctx.restore();
}

KG.createNetwork = function (scene) {
  KG.setScene(scene);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: KG.visNodes, edges: KG.visEdges }, {
    physics: false,
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: {
      hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: D.M.e.length > 12000, hideEdgesOnZoom: D.M.e.length > 12000,
      multiselect: false, selectConnectedEdges: false, keyboard: false, navigationButtons: false, zoomSpeed: 0.8
    },
    edges: { smooth: false, selectionWidth: 0, hoverWidth: 0.5 },
    nodes: { font: { size: 0 }, labelHighlightBold: false }
  });
  KG.network = network;
  window.kgNetwork = network;
  KG.drawWhileMoving(network);
  // vis gets the links once the first frame is on the screen (after the next frame starts).
  var edges = KG.visEdges;
  network.once("afterDrawing", function () {
    requestAnimationFrame(function () {
      setTimeout(function () {
        if (KG.visEdges !== edges) { return; } // another scene since, with its links
        KG.edgesPending = false;
        edges.add(scene.edges.map(visEdge));
      }, 0);
    });
  });
  network.on("afterDrawing", function (ctx) { drawOverlay(ctx); });
  network.on("beforeDrawing", function (ctx) { if (KG.density) { drawDensity(ctx); } });
  return network;
};

// The scale and centre that show every shown node, with a margin for the labels around the
// outermost nodes (computed here: vis's own fit depends on what was drawn last).
KG.fitView = function () {
  var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  KG.scene.nodes.forEach(function (n) {
    if (n.hidden) { return; }
    minX = Math.min(minX, n.x - n.size); maxX = Math.max(maxX, n.x + n.size);
    minY = Math.min(minY, n.y - n.size); maxY = Math.max(maxY, n.y + n.size);
  });
  var box = document.getElementById("graph");
  if (minX === Infinity) { return { position: { x: 0, y: 0 }, scale: 1 }; }
  // Room for the toolbar (and the focus bar) at the top, and for labels all round.
  var top = document.getElementById("focusbar").hidden ? 24 : 56;
  var scale = Math.min((box.clientWidth - 40) / Math.max(maxX - minX, 1), (box.clientHeight - 40 - top) / Math.max(maxY - minY, 1));
  scale = Math.min(scale, 1.5);
  return { position: { x: (minX + maxX) / 2, y: (minY + maxY) / 2 - top / 2 / scale }, scale: scale };
};
// Move the view to {position, scale}, in steps when animated.  (vis's own animation ends a
// little off its target scale, so `0` would not always give the same first screen.)
var moving = 0;
KG.moveTo = function (target, ms) {
  var network = KG.network, run = ++moving;
  if (!ms) { network.moveTo({ position: target.position, scale: target.scale, animation: false }); return; }
  var from = { position: network.getViewPosition(), scale: network.getScale() }, start = null;
  function step(now) {
    if (run !== moving) { return; }
    start = start === null ? now : start;
    var t = Math.min(1, (now - start) / ms), e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
    network.moveTo({
      position: { x: from.position.x + (target.position.x - from.position.x) * e, y: from.position.y + (target.position.y - from.position.y) * e },
      scale: from.scale * Math.pow(target.scale / from.scale, e), animation: false
    });
    if (t < 1) { requestAnimationFrame(step); }
  }
  requestAnimationFrame(step);
};
KG.fit = function (animate) { KG.moveTo(KG.fitView(), animate ? 250 : 0); };
// Zooming stops at half the scale that fits the map (further out it is a dot) and at 6.
KG.zoomFloor = function () { return KG.fitView().scale / 2; };
KG.clampScale = function (scale) { return Math.max(KG.zoomFloor(), Math.min(6, scale)); };
KG.zoom = function (factor) {
  KG.moveTo({ position: KG.network.getViewPosition(), scale: KG.clampScale(KG.network.getScale() * factor) }, 150);
};

// Highlight: a set of node ids and the edges to show with them, the rest dimmed.
KG.setHighlight = function (ids, edgeFilter) {
  if (!ids) { KG.highlight = null; KG.network.redraw(); return; }
  var set = {}, unique = [];
  ids.forEach(function (id) { if (!set[id]) { set[id] = true; unique.push(id); } });
  ids = unique;
  var edges = KG.scene.edges.filter(function (e) {
    return set[e.from] && set[e.to] && !e.hidden && (!edgeFilter || edgeFilter(e));
  });
  KG.highlight = { nodes: set, list: ids, edges: edges };
  KG.network.redraw();
};
KG.neighbourhood = function (id) {
  var ids = [id];
  (KG.scene.adj[id] || []).forEach(function (e) {
    if (!e.hidden) { ids.push(e.from === id ? e.to : e.from); }
  });
  return ids;
};

// Drawing over the network ---------------------------------------------------------------
function shapePath(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "dot") { ctx.arc(x, y, r, 0, 2 * Math.PI); }
  else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); }
  else if (shape === "square") { ctx.rect(x - r, y - r, 2 * r, 2 * r); }
  else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r * 0.87, y + r * 0.5); ctx.lineTo(x - r * 0.87, y + r * 0.5); }
  else {
    for (var k = 0; k < 6; k++) {
      var a = Math.PI / 3 * k;
      if (k === 0) { ctx.moveTo(x + r * Math.cos(a), y + r * Math.sin(a)); } else { ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a)); }
    }
  }
  ctx.closePath();
}

function drawHighlight(ctx, view, theme) {
  var h = KG.highlight;
  ctx.save();
  ctx.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
  ctx.fillStyle = theme.dim;
  ctx.fillRect(0, 0, view.w, view.h);
  ctx.restore();
  h.edges.forEach(function (e) {
    var a = KG.scene.byId[e.from], b = KG.scene.byId[e.to], v = visEdge(e);
    ctx.strokeStyle = v.color.color;
    ctx.lineWidth = Math.max(v.width * 1.6, 1.2 / view.s);
    ctx.setLineDash(v.dashes ? v.dashes.map(function (d) { return d / Math.max(view.s, 0.2); }) : []);
    ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
  });
  ctx.setLineDash([]);
  var selected = KG.network.getSelectedNodes();
  h.list.forEach(function (id) {
    var n = KG.scene.byId[id];
    if (!n || n.hidden) { return; }
    var fill = nodeColour(n);
    shapePath(ctx, SHAPES[n.kind] || "dot", n.x, n.y, n.size);
    ctx.fillStyle = fill; ctx.fill();
    ctx.lineWidth = (selected.indexOf(id) >= 0 || id === h.origin ? 3 : 1.2) / Math.max(view.s, 0.3);
    ctx.strokeStyle = selected.indexOf(id) >= 0 ? theme.fg : mix(fill.charAt(0) === "#" ? fill : "#888888", "#000000", 0.35);
    ctx.stroke();
  });
}

// Rectangles already taken by labels, in a coarse grid so each test looks at a few.
function Occupancy() { this.cells = {}; }
Occupancy.prototype.key = function (cx, cy) { return cx + "," + cy; };
Occupancy.prototype.hits = function (r) {
  for (var cx = Math.floor(r[0] / 64); cx <= Math.floor(r[2] / 64); cx++) {
    for (var cy = Math.floor(r[1] / 64); cy <= Math.floor(r[3] / 64); cy++) {
      var list = this.cells[this.key(cx, cy)];
      if (!list) { continue; }
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (r[0] < o[2] && r[2] > o[0] && r[1] < o[3] && r[3] > o[1]) { return true; }
      }
    }
  }
  return false;
};
Occupancy.prototype.add = function (r) {
  for (var cx = Math.floor(r[0] / 64); cx <= Math.floor(r[2] / 64); cx++) {
    for (var cy = Math.floor(r[1] / 64); cy <= Math.floor(r[3] / 64); cy++) {
      var k = this.key(cx, cy);
      (this.cells[k] = this.cells[k] || []).push(r);
    }
  }
};

// A text's width is measured once, at a reference size of its font, and scaled to the size
// asked for: the first frame of a large map tries hundreds of cluster names at up to four
// sizes, and each new canvas font is slow to set.
var REF_SIZE = 100, widths = {}, fonts = {};
function textWidth(ctx, font, text) {
  var f = fonts[font];
  if (!f) {
    var m = /^(.*?)([\d.]+)px (.*)$/.exec(font);
    f = fonts[font] = m ? { ref: m[1] + REF_SIZE + "px " + m[3], scale: +m[2] / REF_SIZE } : { ref: font, scale: 1 };
  }
  var key = f.ref + "\u0000" + text;
  if (widths[key] === undefined) {
    if (f.ref !== fontSet) { ctx.font = fontSet = f.ref; }
    widths[key] = ctx.measureText(text).width;
  }
  return widths[key] * f.scale;
}

function wrap(text, max) {
  // Cluster names are comma lists: one line if short, else two lines as even as can be.
  var parts = text.split(", ");
  if (text.length <= max || parts.length < 2) { return [text]; }
  var bestLines = null, bestLong = Infinity;
  for (var k = 1; k < parts.length; k++) {
    var lines = [parts.slice(0, k).join(", ") + ",", parts.slice(k).join(", ")];
    var longest = Math.max(lines[0].length, lines[1].length);
    if (longest < bestLong) { bestLong = longest; bestLines = lines; }
  }
  return bestLines;
}

// The font last set on the overlay's context (setting one is parsed anew each time).
var fontSet = "";
function drawText(ctx, text, x, y, font, fill, halo) {
  if (font !== fontSet) { ctx.font = fontSet = font; }
  // While the view moves, labels go without their halo (stroking text is slow).
  if (!KG.moving) {
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = halo;
    ctx.strokeText(text, x, y);
  }
  ctx.fillStyle = fill;
  ctx.fillText(text, x, y);
}

// The controls laid over the map (the zoom toolbar, the focus bar, the panel's close button
// where it sits over the map): no label goes under them.
var COVERS = ["#toolbar", "#focusbar", "#panel .close"];
function covers(container) {
  var at = container.getBoundingClientRect(), out = [];
  COVERS.forEach(function (selector) {
    var e = document.querySelector(selector);
    if (!e || e.offsetParent === null) { return; }
    var r = e.getBoundingClientRect();
    var box = [r.left - at.left - 3, r.top - at.top - 3, r.right - at.left + 3, r.bottom - at.top + 3];
    if (box[2] > 0 && box[3] > 0 && box[0] < at.width && box[1] < at.height) { out.push(box); }
  });
  return out;
}
KG.labelCovers = function () { return covers(document.getElementById("graph")); };

KG.visibleLabels = [];
function drawLabels(ctx, view, theme) {
  var occupied = new Occupancy();
  fontSet = "";
  view.covers.forEach(function (box) { occupied.add(box); });
  var shown = [];
  var dark = theme.bg.charAt(1) < "8";
  function toScreen(x, y) { return [(x - view.cx) * view.s + view.w / 2, (y - view.cy) * view.s + view.h / 2]; }
  ctx.save();
  ctx.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  var scene = KG.scene;
  // Cluster names at their centres, largest clusters first, while the cluster is smaller
  // than the window (once zoomed inside, node labels take over).
  if (scene.clusters && !KG.highlight) {
    var inside = null, hasParts = {};
    (D.K.subs || []).forEach(function (sub) { hasParts[sub[0]] = true; });
    var maxPapers = Math.max.apply(null, scene.clusters.map(function (c) { return c.papers; }).concat([1]));
    scene.clusters.forEach(function (c) {
      if (c.hidden) { return; }
      var p = toScreen(c.x, c.y), r = c.r * view.s;
      if (p[0] < -r || p[1] < -r || p[0] > view.w + r || p[1] > view.h + r) { return; }
      // A cluster with named parts gives way to them sooner (see below).
      if (r > (hasParts[c.k] ? 0.35 : 0.55) * Math.min(view.w, view.h)) {
        // Zoomed inside the cluster: its name stays at the top of the window, smaller.
        var dx = view.w / 2 - p[0], dy = view.h / 2 - p[1];
        if (dx * dx + dy * dy < r * r) { inside = c; }
        return;
      }
      var full = Math.round(12 + 8 * Math.sqrt(c.papers / maxPapers));
      // On the map a cluster is named by its first two concepts (the legend has all three).
      var lines = wrap(c.name.split(", ").slice(0, 2).join(", "), 26);
      // At the centre if free, else around it, kept inside the window; if no spot is free,
      // a smaller font: every coloured cluster keeps its name on the screen.
      // (A small cluster beside a large one's name may need a spot just outside its disc.)
      var spots = [[0, 0], [0, -0.45], [0, 0.45], [-0.5, 0], [0.5, 0], [0, -0.85], [0, 0.85],
                   [0, -1.3], [0, 1.3], [-1.2, 0], [1.2, 0], [-0.9, -0.9], [0.9, -0.9], [-0.9, 0.9], [0.9, 0.9]];
      var rect = null, cx = 0, size = full, font = "", lh = 0;
      // Last of all, its first concept alone, small.
      for (var f = 0; f < 4 && !rect; f++) {
        if (f === 3) { lines = wrap(c.name.split(", ")[0], 26); }
        size = Math.max(10, Math.round(full * (1 - 0.2 * Math.min(f, 2))));
        font = "600 " + size + "px system-ui, sans-serif";
        lh = size * 1.2;
        var boxW = 0, half = lh * lines.length / 2;
        lines.forEach(function (line) { boxW = Math.max(boxW, textWidth(ctx, font, line)); });
        for (var k = 0; k < spots.length && !rect; k++) {
          cx = Math.min(Math.max(p[0] + spots[k][0] * r, boxW / 2 + 4), view.w - boxW / 2 - 4);
          var cy = Math.min(Math.max(p[1] + spots[k][1] * r, half + 4), view.h - half - 4);
          var box = [cx - boxW / 2 - 3, cy - half - 2, cx + boxW / 2 + 3, cy + half + 2];
          if (!occupied.hits(box)) { rect = box; }
        }
      }
      if (!rect) { return; }
      occupied.add(rect);
      var colour = dark ? mix(c.colour, "#ffffff", 0.35) : mix(c.colour, "#000000", 0.45);
      ctx.textAlign = "center";
      lines.forEach(function (line, k) { drawText(ctx, line, cx, rect[1] + 2 + k * lh, font, colour, theme.halo); });
      ctx.textAlign = "left";
      shown.push({ cluster: c.k, rect: rect });
    });
    if (inside && inside.k >= 0) {
      var pin = "600 13px system-ui, sans-serif", text = inside.name, pw = textWidth(ctx, pin, text);
      var box = [view.w / 2 - pw / 2 - 3, 48, view.w / 2 + pw / 2 + 3, 66];
      occupied.add(box);
      ctx.textAlign = "center";
      drawText(ctx, text, view.w / 2, 50, pin, dark ? mix(inside.colour, "#ffffff", 0.35) : mix(inside.colour, "#000000", 0.45), theme.halo);
      ctx.textAlign = "left";
      shown.push({ cluster: inside.k, rect: box, pinned: true });
    }
    // Zoomed in until a coloured cluster fills much of the window: the names of its parts.
    if (scene.mode === "map" && D.K.subs) {
      var subFont = "600 13px system-ui, sans-serif";
      D.K.subs.forEach(function (sub, j) {
        var disc = D.K.discs[sub[0]];
        if (disc[2] * view.s < 0.35 * Math.min(view.w, view.h)) { return; }
        var at = toScreen(sub[2], sub[3]);
        if (at[0] < 0 || at[1] < 0 || at[0] > view.w || at[1] > view.h) { return; }
        var lines = wrap(sub[1], 24), lh = 15.6, bw = 0;
        lines.forEach(function (line) { bw = Math.max(bw, textWidth(ctx, subFont, line)); });
        var half = lh * lines.length / 2, rect = null;
        // At the part's centre if free, else just above or below it.
        [0, -1.2, 1.2].some(function (shift) {
          var y = at[1] + shift * 2 * half;
          var box = [at[0] - bw / 2 - 3, y - half - 2, at[0] + bw / 2 + 3, y + half + 2];
          if (box[0] < 0 || box[1] < 0 || box[2] > view.w || box[3] > view.h || occupied.hits(box)) { return false; }
          rect = box;
          return true;
        });
        if (!rect) { return; }
        occupied.add(rect);
        var colour = dark ? mix(D.K.colours[sub[0]], "#ffffff", 0.35) : mix(D.K.colours[sub[0]], "#000000", 0.45);
        ctx.textAlign = "center";
        lines.forEach(function (line, k) { drawText(ctx, line, at[0], rect[1] + 2 + k * lh, subFont, colour, theme.halo); });
        ctx.textAlign = "left";
        shown.push({ sub: j, rect: rect });
      });
    }
  }
  // Node labels: highlighted nodes first, then by size, each where it fits.
  var order = scene.ranked;
  if (KG.highlight) {
    var h = KG.highlight.nodes;
    order = KG.highlight.list.map(function (id) { return scene.byId[id]; }).filter(Boolean)
      .concat(scene.ranked.filter(function (n) { return !h[n.id]; }));
  }
  var budget = 260;
  for (var i = 0; i < order.length && budget > 0; i++) {
    var n = order[i];
    if (n.hidden || (KG.highlight && !KG.highlight.nodes[n.id])) { continue; }
    var q = toScreen(n.x, n.y), rad = n.size * view.s;
    if (q[0] < -50 || q[1] < -20 || q[0] > view.w + 50 || q[1] > view.h + 20) { continue; }
    if (rad < 2.2 && !(KG.highlight && KG.highlight.nodes[n.id])) { continue; }
    var text = n.label || (n.label = KG.shortLabel(n.rec));
    var fontSize = n.kind === "concept" ? 12 : n.kind === "paper" ? 11.5 : 11;
    var labelFont = (n.kind === "concept" ? "600 " : "") + fontSize + "px system-ui, sans-serif";
    var w = textWidth(ctx, labelFont, text);
    var spots = [
      [q[0] - w / 2, q[1] + rad + 2], [q[0] - w / 2, q[1] - rad - fontSize - 3],
      [q[0] + rad + 3, q[1] - fontSize / 2], [q[0] - rad - 3 - w, q[1] - fontSize / 2]
    ];
    for (var s = 0; s < spots.length; s++) {
      var box = [spots[s][0] - 1, spots[s][1] - 1, spots[s][0] + w + 1, spots[s][1] + fontSize + 2];
      if (box[0] < 0 || box[1] < 0 || box[2] > view.w || box[3] > view.h || occupied.hits(box)) { continue; }
      occupied.add(box);
      drawText(ctx, text, spots[s][0], spots[s][1], labelFont, n.kind === "concept" ? theme.fg : theme.muted === "" ? theme.fg : theme.fg, theme.halo);
      shown.push({ node: n.id, rect: box });
      budget--;
      break;
    }
  }
  ctx.restore();
  KG.visibleLabels = shown;
}

function drawOverlay(ctx) {
  var container = document.getElementById("graph");
  var canvas = container.querySelector("canvas");
  var pos = KG.network.getViewPosition();
  var view = {
    w: container.clientWidth, h: container.clientHeight, s: KG.network.getScale(), cx: pos.x, cy: pos.y,
    ratio: canvas ? canvas.width / Math.max(1, canvas.clientWidth) : window.devicePixelRatio || 1,
    covers: covers(container)
  };
  var theme = KG.themeNow || (KG.themeNow = KG.theme());
  if (KG.beforeOverlay) { KG.beforeOverlay(ctx, view, theme); }
  if (KG.highlight) { drawHighlight(ctx, view, theme); }
  drawLabels(ctx, view, theme);
}
