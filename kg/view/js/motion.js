// motion.js: while the view moves (a zoom, a pan, an animated move) the map is drawn at less
// detail, so that it keeps up; the full drawing follows once the view has stood still.
// vis-network draws each link and node alone (its own state, dashes, arrows, a save and a
// restore each): at a few thousand links that is most of a frame.  A moving frame draws the
// links as one plain path per colour and width, the nodes as one path per shape and colour,
// and only what the window shows; labels stay where they are, drawn without their halo.
// A frame moves when the view differs from the last frame's and that frame was drawn just
// before (so a single jump of the view is drawn in full); `network.redraw()` is always full.
var MOVING_GAP = 150; // ms between two frames of one movement
var SETTLE = 120; // ms without a frame before the full drawing

function edgeGroups(scene) {
  var groups = {}, list = [];
  scene.edges.forEach(function (e) {
    var v = visEdge(e), colour = rgba(v.color.color, v.color.opacity), width = Math.round(v.width * 4) / 4;
    var key = colour + "|" + width;
    if (!groups[key]) { groups[key] = { colour: colour, width: width, edges: [] }; list.push(groups[key]); }
    groups[key].edges.push(e);
  });
  return list;
}

function nodeGroups(scene) {
  var groups = {}, list = [];
  scene.nodes.forEach(function (n) {
    var fill = nodeColour(n), shape = SHAPES[n.kind] || "dot", key = shape + "|" + fill;
    if (!groups[key]) {
      var border = mix(fill.charAt(0) === "#" ? fill : "#888888", "#000000", 0.35);
      groups[key] = { shape: shape, fill: fill, border: border, nodes: [] };
      list.push(groups[key]);
    }
    groups[key].nodes.push(n);
  });
  return list;
}

// The part of the map the window shows, in map coordinates, with a margin.
function viewBox(network, margin) {
  var box = document.getElementById("graph");
  var a = network.DOMtoCanvas({ x: -margin, y: -margin });
  var b = network.DOMtoCanvas({ x: box.clientWidth + margin, y: box.clientHeight + margin });
  return [a.x, a.y, b.x, b.y];
}

function addShape(ctx, shape, x, y, r) {
  if (shape === "dot") { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); }
  else if (shape === "square") { ctx.rect(x - r, y - r, 2 * r, 2 * r); }
  else if (shape === "diamond") { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath(); }
  else if (shape === "triangle") { ctx.moveTo(x, y - r); ctx.lineTo(x + r * 0.87, y + r * 0.5); ctx.lineTo(x - r * 0.87, y + r * 0.5); ctx.closePath(); }
  else {
    for (var k = 0; k < 6; k++) {
      var a = Math.PI / 3 * k;
      if (k === 0) { ctx.moveTo(x + r, y); } else { ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a)); }
    }
    ctx.closePath();
  }
}

function drawMovingEdges(ctx, network, scale) {
  var scene = KG.scene, box = viewBox(network, 0);
  if (!scene.movingEdges) { scene.movingEdges = edgeGroups(scene); }
  ctx.save();
  ctx.setLineDash([]);
  scene.movingEdges.forEach(function (g) {
    ctx.beginPath();
    var any = false;
    g.edges.forEach(function (e) {
      if (e.hidden) { return; }
      var a = scene.byId[e.from], b = scene.byId[e.to];
      // Both ends beyond one side of the window: nothing of it shows.
      if ((a.x < box[0] && b.x < box[0]) || (a.x > box[2] && b.x > box[2]) ||
          (a.y < box[1] && b.y < box[1]) || (a.y > box[3] && b.y > box[3])) { return; }
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      any = true;
    });
    if (!any) { return; }
    ctx.strokeStyle = g.colour;
    ctx.lineWidth = Math.max(g.width, 0.3 / scale);
    ctx.stroke();
  });
  ctx.restore();
}

function drawMovingNodes(ctx, network, scale) {
  var scene = KG.scene, box = viewBox(network, 20), theme = KG.themeNow || (KG.themeNow = KG.theme());
  scene.movingNodes = scene.movingNodes || {};
  var groups = scene.movingNodes[KG.colourBy] || (scene.movingNodes[KG.colourBy] = nodeGroups(scene));
  ctx.save();
  ctx.lineWidth = 1 / scale;
  groups.forEach(function (g) {
    ctx.beginPath();
    var any = false;
    g.nodes.forEach(function (n) {
      if (n.hidden || n.x + n.size < box[0] || n.x - n.size > box[2] || n.y + n.size < box[1] || n.y - n.size > box[3]) { return; }
      addShape(ctx, g.shape, n.x, n.y, n.size);
      any = true;
    });
    if (!any) { return; }
    ctx.fillStyle = g.fill;
    ctx.fill();
    ctx.strokeStyle = g.border;
    ctx.stroke();
  });
  ctx.lineWidth = 3 / scale;
  ctx.strokeStyle = theme.fg;
  network.getSelectedNodes().forEach(function (id) {
    var n = scene.byId[id];
    if (!n || n.hidden) { return; }
    ctx.beginPath();
    addShape(ctx, SHAPES[n.kind] || "dot", n.x, n.y, n.size);
    ctx.stroke();
  });
  ctx.restore();
}

// Installs moving frames on `network` (nothing, and every frame full, if this vis-network
// lacks the renderer steps replaced here).
KG.drawWhileMoving = function (network) {
  var r = network.renderer;
  KG.moving = false;
  if (!r || typeof r._drawEdges !== "function" || typeof r._drawNodes !== "function" ||
      typeof r._drawArrows !== "function" || typeof r._renderStep !== "function") { return; }
  var drawEdges = r._drawEdges, drawNodes = r._drawNodes, drawArrows = r._drawArrows;
  var explicit = false, last = null, lastAt = -Infinity, settle = 0;
  var redraw = network.redraw;
  network.redraw = function () {
    explicit = true;
    try { return redraw.apply(network, arguments); } finally { explicit = false; }
  };
  network.on("initRedraw", function () {
    var now = performance.now(), s = network.getScale(), at = network.getViewPosition();
    var view = [s, at.x, at.y], moved = last !== null && (view[0] !== last[0] || view[1] !== last[1] || view[2] !== last[2]);
    KG.moving = !explicit && moved && now - lastAt < MOVING_GAP;
    last = view;
    lastAt = now;
    if (KG.moving) {
      clearTimeout(settle);
      settle = setTimeout(function () { network.redraw(); }, SETTLE);
    }
  });
  r._drawEdges = function (ctx) {
    if (KG.moving || KG.edgesPending) { drawMovingEdges(ctx, network, network.getScale()); return; }
    drawEdges.apply(r, arguments);
  };
  r._drawArrows = function () { if (!KG.moving) { drawArrows.apply(r, arguments); } };
  r._drawNodes = function (ctx) {
    if (KG.moving) { drawMovingNodes(ctx, network, network.getScale()); return { drawExternalLabels: null }; }
    return drawNodes.apply(r, arguments);
  };
  // vis starts a second loop of frames when an animated move interrupts another (its timer
  // is forgotten, not cancelled), and each loop draws every frame: one loop only.
  var step = 0;
  r._startRendering = function () {
    if (r.renderingActive && r.renderTimer === undefined) {
      r.renderTimer = step || (step = requestAnimationFrame(function () { step = 0; r._renderStep(); }));
    }
  };
  // A frame vis asked for is not drawn again when a drawing since has done it (each drawing
  // clears the request): at start-up the map's first frame was drawn twice.
  r._requestNextFrame = function (callback) {
    return requestAnimationFrame(function () { if (r.redrawRequested) { callback(); } });
  };
};
