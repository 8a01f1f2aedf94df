// focus.js: one paper and its nearest papers, Connected Papers style.  Nearness is the best
// chain of links from the paper (similarity weights, citations and method mentions multiply
// along a chain) plus the share of its concepts (weighted by rarity) another paper carries,
// so a paper with no similarity links still gets neighbours.  The papers are laid out by a
// small force simulation with the paper fixed at the centre; similar papers end up close.
var FOCUS_SIZE = 36;
var LINK_CITE = 0.3;
var OVERLAP = 0.35;
var CLUSTER_ONLY = 1e-6;  // the nearness of a paper that shares only the cluster  // share of concepts that draws a light line between two papers of the view

function paperLinks(i) {
  var p = KG.papers[i], out = [];
  p.similar.forEach(function (s) { out.push([s.other, s.w]); });
  p.cites.forEach(function (j) { out.push([j, LINK_CITE]); });
  p.citedBy.forEach(function (j) { out.push([j, LINK_CITE]); });
  p.mentions.forEach(function (j) { out.push([j, LINK_CITE]); });
  p.mentionedBy.forEach(function (j) { out.push([j, LINK_CITE]); });
  return out;
}

KG.nearest = function (origin, count) {
  var strength = {}, via = {}, settled = {}, open = [origin];
  strength[origin] = 1;
  // Best product of link weights from the origin (Dijkstra on -log weight), up to a depth.
  var steps = 0;
  while (open.length && steps < 4000) {
    steps++;
    var k = 0;
    for (var j = 1; j < open.length; j++) { if (strength[open[j]] > strength[open[k]]) { k = j; } }
    var cur = open.splice(k, 1)[0];
    if (settled[cur]) { continue; }
    settled[cur] = true;
    if (strength[cur] < 0.002) { break; }
    paperLinks(cur).forEach(function (link) {
      var s = strength[cur] * link[1];
      if (!settled[link[0]] && s > (strength[link[0]] || 0)) { strength[link[0]] = s; via[link[0]] = cur; open.push(link[0]); }
    });
  }
  // Shared concepts, each weighted by how rare it is in the corpus.
  var n = KG.papers.length, own = KG.papers[origin].concepts, mass = 0, share = {};
  own.forEach(function (c) {
    var concept = KG.concepts[c], idf = Math.log(1 + n / Math.max(1, concept.count));
    mass += idf;
    if (concept.count > Math.max(200, n * 0.2)) { return; }
    concept.papers.forEach(function (q) { share[q] = (share[q] || 0) + idf; });
  });
  var score = {};
  Object.keys(strength).forEach(function (q) { score[q] = strength[q]; });
  Object.keys(share).forEach(function (q) { score[q] = (score[q] || 0) + 0.25 * share[q] / Math.max(mass, 1e-9); });
  delete score[origin];
  var ranked = Object.keys(score).map(Number).sort(function (a, b) { return score[b] - score[a] || a - b; });
  // Too few neighbours by links and concepts (a paper with no sure similar paper and rare
  // tags): papers of its own cluster fill the view, after all the others.
  var home = KG.papers[origin].cluster;
  if (ranked.length < count && home >= 0) {
    KG.papers.forEach(function (q) {
      if (ranked.length < count && q.i !== origin && q.cluster === home && score[q.i] === undefined) {
        score[q.i] = CLUSTER_ONLY;
        ranked.push(q.i);
      }
    });
  }
  return { papers: ranked.slice(0, count), score: score, via: via };
};

// Positions for the focus view: each paper pulled to a ring whose radius grows as its
// nearness falls (the nearest sit closest to the centre), linked papers pulled together,
// all pushed apart; the origin (index 0) stays at the centre.
function forceLayout(nearness, edges, sizes) {
  var n = nearness.length, x = [0], y = [0], ring = [0];
  var top = Math.max.apply(null, nearness.slice(1).concat([1e-9]));
  for (var k = 1; k < n; k++) {
    ring.push(110 + 330 * (1 - Math.min(1, nearness[k] / top)));
    var a = k * 2.39996;
    x.push(ring[k] * Math.cos(a)); y.push(ring[k] * Math.sin(a));
  }
  var ideal = 80;
  for (var it = 0; it < 400; it++) {
    var dx = new Array(n).fill(0), dy = new Array(n).fill(0);
    for (var i = 1; i < n; i++) {
      for (var j = i + 1; j < n; j++) {
        var ex = x[i] - x[j], ey = y[i] - y[j], d = Math.max(1, Math.sqrt(ex * ex + ey * ey));
        var rep = ideal * ideal / d;
        dx[i] += ex / d * rep; dy[i] += ey / d * rep; dx[j] -= ex / d * rep; dy[j] -= ey / d * rep;
      }
    }
    edges.forEach(function (e) {
      if (e[0] === 0 || e[1] === 0) { return; }
      var ex = x[e[0]] - x[e[1]], ey = y[e[0]] - y[e[1]], d = Math.max(1, Math.sqrt(ex * ex + ey * ey));
      var att = d * d / ideal * e[2];
      dx[e[0]] -= ex / d * att; dy[e[0]] -= ey / d * att; dx[e[1]] += ex / d * att; dy[e[1]] += ey / d * att;
    });
    var temp = 30 * (1 - it / 400) + 0.5;
    for (var m = 1; m < n; m++) {
      var r = Math.max(1, Math.sqrt(x[m] * x[m] + y[m] * y[m]));
      var pull = (ring[m] - r) * 2;  // toward its ring
      dx[m] += x[m] / r * pull; dy[m] += y[m] / r * pull;
      var len = Math.max(1e-9, Math.sqrt(dx[m] * dx[m] + dy[m] * dy[m])), step = Math.min(len, temp);
      x[m] += dx[m] / len * step; y[m] += dy[m] / len * step;
    }
  }
  // No overlaps: push apart until every pair clears (labels need room below each node).
  for (var round = 0; round < 300; round++) {
    var moved = false;
    for (var a1 = 0; a1 < n; a1++) {
      for (var b1 = a1 + 1; b1 < n; b1++) {
        var fx = x[b1] - x[a1], fy = y[b1] - y[a1], dist = Math.sqrt(fx * fx + fy * fy);
        var need = (sizes[a1] + sizes[b1]) * 1.25 + 14;
        if (dist < need) {
          if (dist < 1e-3) { fx = Math.cos(a1 + b1); fy = Math.sin(a1 + b1); dist = 1; }
          var push = (need - dist) / 2 + 0.1;
          if (a1 !== 0) { x[a1] -= fx / dist * push; y[a1] -= fy / dist * push; }
          if (b1 !== 0) { x[b1] += fx / dist * push; y[b1] += fy / dist * push; }
          moved = true;
        }
      }
    }
    if (!moved) { break; }
  }
  return x.map(function (_, k) { return [Math.round(x[k] * 10) / 10, Math.round(y[k] * 10) / 10]; });
}

// Concepts two papers share, weighted by rarity, as a share of the smaller paper's concepts.
function overlap(a, b) {
  var n = KG.papers.length, mine = {}, massA = 0, massB = 0, shared = 0;
  KG.papers[a].concepts.forEach(function (c) {
    var w = Math.log(1 + n / Math.max(1, KG.concepts[c].count));
    mine[c] = w; massA += w;
  });
  KG.papers[b].concepts.forEach(function (c) {
    var w = Math.log(1 + n / Math.max(1, KG.concepts[c].count));
    massB += w;
    if (mine[c] !== undefined) { shared += w; }
  });
  return shared / Math.max(1e-9, Math.min(massA, massB));
}

KG.focusOn = function (origin) {
  var near = KG.nearest(origin, FOCUS_SIZE);
  var ids = [origin].concat(near.papers);
  var where = {};
  ids.forEach(function (p, k) { where[p] = k; });
  var edges = [], seen = {};
  function add(a, b, style, w) {
    var key = Math.min(a, b) + "-" + Math.max(a, b);
    if (seen[key] || where[a] === undefined || where[b] === undefined) { return; }
    seen[key] = true;
    edges.push({ a: a, b: b, style: style, w: w });
  }
  ids.forEach(function (i) {
    var p = KG.papers[i];
    p.cites.forEach(function (j) { add(i, j, "cites", LINK_CITE); });
    p.similar.forEach(function (s) { add(i, s.other, "similar:" + s.basis, s.w); });
    p.mentions.forEach(function (j) { add(i, j, "mentions", LINK_CITE); });
  });
  // Papers of the view with much in common but no link of the graph: a light line, so the
  // view shows how the neighbours hang together, as Connected Papers does.
  ids.forEach(function (a, k) {
    ids.slice(k + 1).forEach(function (b) {
      var share = overlap(a, b);
      if (share >= OVERLAP) { add(a, b, "overlap", share); }
    });
  });
  var useCitations = KG.papers.some(function (p) { return p.citations > 0; });
  var degree = ids.map(function () { return 0; });
  edges.forEach(function (e) { degree[where[e.a]]++; degree[where[e.b]]++; });
  var sizes = ids.map(function (i, k) {
    if (k === 0) { return 18; }
    var weight = useCitations ? Math.log(1 + Math.max(0, KG.papers[i].citations)) * 2 : degree[k];
    return Math.min(16, 7 + 2 * Math.sqrt(weight));
  });
  var springs = edges.map(function (e) { return [where[e.a], where[e.b], e.style === "overlap" ? 0.2 * e.w : Math.max(0.15, e.w)]; });
  var pos = forceLayout([1].concat(near.papers.map(function (p) { return near.score[p]; })), springs, sizes);
  var scene = {
    mode: "focus", origin: origin, near: near,
    nodes: ids.map(function (i, k) {
      var p = KG.papers[i];
      return { id: k, rec: p, kind: "paper", x: pos[k][0], y: pos[k][1], size: sizes[k], cluster: p.cluster };
    }),
    edges: edges.map(function (e, k) { return { id: k, from: where[e.a], to: where[e.b], style: e.style, w: e.w }; }),
    clusters: null
  };
  scene.byKey = {};
  scene.nodes.forEach(function (n) { scene.byKey["paper:" + n.rec.i] = n.id; });
  if (KG.scene && KG.scene.mode === "map") { KG.mapView = { position: KG.network.getViewPosition(), scale: KG.network.getScale() }; }
  KG.setScene(scene);
  KG.applyFilters();
  document.getElementById("focusbar").hidden = false;
  document.getElementById("focus-title").textContent = "Focus: " + KG.papers[origin].title;
  KG.open(KG.papers[origin], { from: "focus" });
  KG.setHighlight(null);  // the whole view is the paper's neighbourhood
  KG.fit(false);  // after the panel opened: on a narrow window it takes half the height
  KG.status("Focus on “" + KG.papers[origin].title + "” and its " + plural(near.papers.length, "nearest paper")
    + ". Escape or “Back to the map” returns.");
  KG.onSceneChange();
};

KG.focusList = function (p) {
  var near = KG.scene.near;
  return KG.paperList(near.papers, function (i) {
    var q = KG.papers[i], bits = [];
    var sim = p.similar.filter(function (s) { return s.other === i; })[0];
    if (p.cites.indexOf(i) >= 0) { bits.push("cited by this paper"); }
    if (p.citedBy.indexOf(i) >= 0) { bits.push("cites this paper"); }
    if (sim) { bits.push("similar " + sim.w.toFixed(2)); }
    else if (near.via[i] !== undefined && near.via[i] !== p.i) { bits.push("via " + KG.shortLabel(KG.papers[near.via[i]])); }
    var shared = q.concepts.filter(function (c) { return p.concepts.indexOf(c) >= 0; });
    if (shared.length) { bits.push("shares " + shared.slice(0, 3).map(function (c) { return KG.concepts[c].label; }).join(", ")); }
    if (!bits.length && near.score[i] === CLUSTER_ONLY) { bits.push("same cluster only"); }
    return bits.join(" · ");
  }, 60);
};

KG.showMap = function () {
  if (KG.scene.mode === "map") { return; }
  KG.setScene(KG.mapScene);
  KG.applyFilters();
  document.getElementById("focusbar").hidden = true;
  if (KG.mapView) { KG.moveTo(KG.mapView, 0); }
  else { KG.fit(false); }
  KG.clearSelection();
  KG.status(KG.summary());
  KG.onSceneChange();
};
