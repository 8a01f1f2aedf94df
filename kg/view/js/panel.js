// panel.js: the details panel of a paper, concept, author, code owner, repository or
// cluster, and opening one (select it on the map, highlight what belongs to it).
var panel = document.getElementById("panel");
var trail = [];  // records shown before, for the panel's back button
KG.shown = null;

function recKey(rec) { return rec.type + ":" + (rec.type === "cluster" ? rec.k : rec.i); }
KG.nodeFor = function (rec) {
  var id = KG.scene.byKey[recKey(rec)];
  return id === undefined ? -1 : id;
};

function heading(text) { return el("h3", text); }

function linkTo(rec, text) {
  var b = el("button", text || KG.nameOf(rec), "linkish");
  b.type = "button";
  b.addEventListener("click", function () { KG.open(rec, { from: "panel" }); });
  return b;
}
function external(label, url) {
  var li = el("li");
  li.appendChild(el("span", label + ": ", "sub"));
  var a = el("a", url);
  a.href = /^https?:\/\//i.test(url) ? url : "#";
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  li.appendChild(a);
  return li;
}
function paperList(indices, extra, limit) {
  var ul = el("ul");
  limit = limit || 60;
  indices.slice(0, limit).forEach(function (i, k) {
    var p = KG.papers[i], li = el("li", null, "paper"), body = el("div");
    li.appendChild(swatch(KG.clusterColour(p.cluster)));
    li.appendChild(body);
    body.appendChild(linkTo(p));
    var bits = [];
    var date = KG.dateText(p);
    if (date) { bits.push(date); }
    if (extra) { var more = extra(i, k); if (more) { bits.push(more); } }
    if (p.node < 0) { bits.push("not drawn"); }
    if (bits.length) { body.appendChild(el("div", bits.join(" · "), "sub")); }
    ul.appendChild(li);
  });
  if (indices.length > limit) { ul.appendChild(el("li", "… and " + (indices.length - limit) + " more", "sub")); }
  return ul;
}
KG.paperList = paperList;
function swatch(colour) {
  var s = el("span", null, "swatch");
  s.style.background = colour;
  return s;
}
function chips(indices) {
  var box = el("div", null, "chips");
  indices.forEach(function (c) {
    var b = el("button", KG.concepts[c].label, "chip");
    b.type = "button";
    b.title = plural(KG.concepts[c].count, "paper");
    b.addEventListener("click", function () { KG.open(KG.concepts[c], { from: "panel" }); });
    box.appendChild(b);
  });
  return box;
}
function byYearThenTitle(a, b) {
  return (KG.papers[b].year - KG.papers[a].year) || KG.papers[a].title.localeCompare(KG.papers[b].title);
}

// A paper's arXiv categories, primary first: [code, official name].
KG.categoriesOf = function (p) {
  var Y = D.Y, rows = (D.P.y && D.P.y[p.i]) || [];
  return Y ? rows.map(function (r) { return [Y.n[r], Y.l[r]]; }) : [];
};
// Where the paper was found, in a reader's words ("Listed on Hugging Face Daily Papers,
// 11 Mar 2025"), with the files and lines kg read it from behind a toggle.
function provenance(p) {
  if (!p.sources.length) { return []; }
  var words = [];
  p.sources.forEach(function (s) {
    var w = D.S.w ? D.S.w[s[0]] : "";
    if (w && words.indexOf(w) < 0) { words.push(w); }
  });
  var out = [];
  if (words.length) { out.push(el("p", words.join("; "), "meta listed")); }
  var details = el("details", null, "files");
  details.appendChild(el("summary", "Where kg read it (" + plural(p.sources.length, "file") + ")"));
  var ul = el("ul");
  p.sources.forEach(function (s) {
    var src = KG.sources[s[0]];
    ul.appendChild(el("li", src.name + ", line " + s[1].toLocaleString("en") + (src.date ? " (listed " + src.date + ")" : ""), "sub"));
  });
  details.appendChild(ul);
  out.push(details);
  return out;
}

// How strong a similarity is, in words a reader can weigh.
function strength(w) {
  var strong = (D.E.strong || 2000) / 10000;  // kg.relate.similarity.STRONG_WEIGHT
  return w >= 1.5 * strong ? "strongly similar" : w >= strong ? "similar" : "somewhat similar";
}
function meter(w) {
  var bar = el("span", null, "meter");
  bar.appendChild(el("span")).style.width = Math.round(Math.min(1, w) * 100) + "%";
  bar.title = "similarity " + w.toFixed(2) + " of 1";
  return bar;
}

function paperPanel(p) {
  var parts = [];
  var kind = el("div", null, "kind");
  kind.appendChild(swatch(KG.clusterColour(p.cluster)));
  kind.appendChild(document.createTextNode("Paper · " + KG.clusterName(p.cluster)));
  parts.push(kind, el("h2", p.title));
  if (p.authors.length) {
    var by = el("p", null, "authors");
    p.authors.slice(0, 12).forEach(function (a, k) {
      if (k) { by.appendChild(document.createTextNode(", ")); }
      by.appendChild(linkTo(KG.authors[a]));
    });
    if (p.authors.length > 12) { by.appendChild(document.createTextNode(" and " + (p.authors.length - 12) + " more")); }
    parts.push(by);
  }
  var meta = [];
  if (p.date) { meta.push(KG.formatDate(p.date)); }
  if (p.venue) { meta.push(p.venue); }
  if (p.citations >= 0) { meta.push(plural(p.citations, "citation")); }
  if (meta.length) { parts.push(el("p", meta.join(" · "), "meta")); }
  var categories = KG.categoriesOf(p);
  if (categories.length) {
    var cat = el("p", "arXiv " + categories.map(function (c) { return c[0]; }).join(" · "), "meta categories");
    cat.title = categories.map(function (c) { return c[0] + ": " + c[1]; }).join("\n");
    parts.push(cat);
  }
  parts.push.apply(parts, provenance(p));
  var actions = el("div", null, "actions");
  var focus = el("button", p.node >= 0 || KG.scene.mode === "focus" ? "Focus: this paper and its nearest" : "Show with its nearest papers");
  focus.type = "button";
  focus.className = "focus-button";
  focus.addEventListener("click", function () { KG.focusOn(p.i); });
  actions.appendChild(focus);
  if (KG.scene.mode === "map" && p.node >= 0) {
    var locate = el("button", "Locate on the map");
    locate.type = "button";
    locate.addEventListener("click", function () { KG.locate(p.node); });
    actions.appendChild(locate);
  }
  parts.push(actions);
  if (KG.scene.mode === "focus" && KG.scene.origin === p.i) {
    parts.push(heading("Nearest papers (" + KG.scene.near.papers.length + ")"), KG.focusList(p));
  }
  if (p.node < 0 && KG.scene.mode === "map") {
    parts.push(el("p", "Not drawn on this map (it shows " + plural(KG.drawnPapers, "paper") + " of " + KG.papers.length.toLocaleString("en") +
      ": " + (D.sample && D.sample.rule ? D.sample.rule : "the best linked") + "); the button above shows it with its nearest papers.", "sub"));
  }
  var links = p.links.map(function (link) {
    var url = link[0] === "code" ? KG.repos[link[1]].url : link[0] === "project page" ? KG.pages[link[1]].url : link[1];
    return external(link[0], url);
  });
  if (links.length) { var ul = el("ul"); links.forEach(function (li) { ul.appendChild(li); }); parts.push(heading("Links"), ul); }
  if (p.concepts.length) { parts.push(heading("Concepts"), chips(p.concepts)); }
  parts.push(heading("Abstract"));
  var abstract = el("div");
  parts.push(abstract);
  if (p.abstract === null && D.moreAbstracts) {
    // Abstracts of papers not drawn travel in a second deflated block, opened on first need.
    abstract.appendChild(el("p", "Loading the abstract…", "abstract"));
    D.moreAbstracts().then(function (rest) {
      p.abstract = rest[p.i] || "";
      showAbstract(abstract, p.abstract);
    });
  } else {
    showAbstract(abstract, p.abstract === null ? "(abstract left out of this page; it is in the build's graph.ttl)" : p.abstract);
  }
  // Similar papers from the confidence of a similarity link up, each with its strength.
  var similar = KG.similarOf(p), weak = p.similar.length - similar.length;
  if (similar.length) {
    parts.push(heading("Similar papers (" + similar.length + ")"));
    var list = paperList(similar.map(function (s) { return s.other; }), function (i, k) {
      var s = similar[k];
      var shared = KG.papers[i].concepts.filter(function (c) { return p.concepts.indexOf(c) >= 0; })
        .map(function (c) { return KG.concepts[c].label; });
      var why = s.basis === "concepts" && shared.length ? "shares " + shared.slice(0, 4).join(", ") : (BASIS_NAME[s.basis] || s.basis);
      return strength(s.w) + " (" + s.w.toFixed(2) + ") · " + why;
    });
    list.querySelectorAll(":scope > li.paper").forEach(function (li, k) { li.appendChild(meter(similar[k].w)); });
    list.classList.add("similar");
    parts.push(list);
  }
  if (weak) {
    parts.push(el("p", (similar.length ? "" : "No similar papers: ") + plural(weak, "weaker link") + " (below " +
      KG.similarConfidence.toFixed(2) + ", too weak to call related) not listed.", "sub weak"));
  }
  if (p.cites.length) { parts.push(heading("References in this corpus (" + p.cites.length + ")"), paperList(p.cites.slice().sort(byYearThenTitle))); }
  if (p.citedBy.length) { parts.push(heading("Cited by, in this corpus (" + p.citedBy.length + ")"), paperList(p.citedBy.slice().sort(byYearThenTitle))); }
  if (p.mentions.length) { parts.push(heading("Names the method of"), paperList(p.mentions)); }
  if (p.mentionedBy.length) { parts.push(heading("Its method is named by"), paperList(p.mentionedBy)); }
  return parts;
}

function conceptPanel(c) {
  var parts = [el("div", "Concept", "kind"), el("h2", c.label)];
  if (c.alt.length) { parts.push(el("p", "Also written: " + c.alt.join(", "), "meta")); }
  var drawn = c.papers.filter(function (i) { return KG.papers[i].node >= 0; }).length;
  parts.push(el("p", plural(c.papers.length, "paper") + (KG.scene.mode === "map" ? " (" + drawn + " drawn, highlighted on the map)" : ""), "meta"));
  if (c.broader.length) { parts.push(heading("Broader"), chips(c.broader)); }
  if (c.narrower.length) { parts.push(heading("Narrower"), chips(c.narrower)); }
  parts.push(heading("Papers"), paperList(c.papers.slice().sort(function (a, b) {
    return (KG.papers[b].node >= 0) - (KG.papers[a].node >= 0) || KG.papers[a].title.localeCompare(KG.papers[b].title);
  }), null, 200));
  return parts;
}

function agentPanel(rec) {
  var parts = [el("div", KG.kindName[rec.type].replace(/^./, function (s) { return s.toUpperCase(); }), "kind"), el("h2", rec.name)];
  var ul = el("ul");
  if (rec.url) { ul.appendChild(external(rec.type === "repo" ? "code" : "page", rec.url)); }
  if (rec.type === "author" && rec.s2) { ul.appendChild(external("Semantic Scholar", "https://www.semanticscholar.org/author/" + rec.s2)); }
  if (ul.childNodes.length) { parts.push(ul); }
  if (rec.type === "repo" && rec.owner >= 0) {
    var o = el("p", "Owner: ", "meta");
    o.appendChild(linkTo(KG.owners[rec.owner]));
    parts.push(o);
  }
  if (rec.type === "owner" && rec.repos.length) {
    var repos = el("ul");
    rec.repos.forEach(function (r) { var li = el("li"); li.appendChild(linkTo(KG.repos[r])); repos.appendChild(li); });
    parts.push(heading("Repositories (" + rec.repos.length + ")"), repos);
  }
  parts.push(heading("Papers (" + rec.papers.length + ")"), paperList(rec.papers));
  return parts;
}

function clusterPanel(c) {
  var parts = [];
  var kind = el("div", null, "kind");
  kind.appendChild(swatch(KG.clusterColour(c.k)));
  kind.appendChild(document.createTextNode("Cluster"));
  parts.push(kind, el("h2", c.k < D.K.coloured ? KG.clusterName(c.k) : OTHERS));
  var members = KG.papers.filter(function (p) { return c.k < D.K.coloured ? p.cluster === c.k : p.cluster < 0 || p.cluster >= D.K.coloured; });
  var drawn = members.filter(function (p) { return p.node >= 0; }).length;
  parts.push(el("p", plural(members.length, "paper") + " (" + drawn + " drawn, highlighted on the map)", "meta"));
  var counts = {};
  members.forEach(function (p) { p.concepts.forEach(function (k) { counts[k] = (counts[k] || 0) + 1; }); });
  var top = Object.keys(counts).map(Number).sort(function (a, b) { return counts[b] - counts[a] || a - b; }).slice(0, 12);
  if (top.length) { parts.push(heading("Its most used concepts"), chips(top)); }
  parts.push(heading("Papers"), paperList(members.map(function (p) { return p.i; }), null, 200));
  return parts;
}

function render(rec) {
  panel.replaceChildren();
  var close = el("button", "×", "close");
  close.type = "button";
  close.setAttribute("aria-label", "Close details");
  close.addEventListener("click", function () { KG.clearSelection(); });
  panel.appendChild(close);
  if (trail.length) {
    var back = el("button", "← back", "linkish sub");
    back.type = "button";
    back.addEventListener("click", function () { var prev = trail.pop(); KG.open(prev, { from: "back" }); });
    panel.appendChild(back);
  }
  var parts = rec.type === "paper" ? paperPanel(rec) : rec.type === "concept" ? conceptPanel(rec)
    : rec.type === "cluster" ? clusterPanel(rec) : agentPanel(rec);
  parts.forEach(function (part) { panel.appendChild(part); });
  panel.hidden = false;
  panel.scrollIntoView({ block: "start" });
  KG.openSheet(true);
}

// On a narrow window the side panel is a sheet over the bottom of the map; open, it takes
// half the height and the map shrinks to the rest (so a selected node stays in view).
KG.openSheet = function (open) {
  var side = document.getElementById("side");
  if (side.classList.contains("open") === open) { return; }
  side.classList.toggle("open", open);
  document.body.classList.toggle("sheet-open", open);
  document.getElementById("sidetoggle").setAttribute("aria-expanded", open ? "true" : "false");
  window.dispatchEvent(new Event("resize"));  // vis-network fits its canvas to the new size
};

// Papers (drawn in the current scene) that belong with a record: a concept's, an author's...
function relatedNodes(rec) {
  var papers = rec.type === "concept" || rec.type === "author" || rec.type === "owner" || rec.type === "repo" || rec.type === "page"
    ? rec.papers
    : rec.type === "cluster" ? KG.papers.filter(function (p) { return rec.k < D.K.coloured ? p.cluster === rec.k : p.cluster < 0 || p.cluster >= D.K.coloured; }).map(function (p) { return p.i; })
    : [];
  var ids = [];
  papers.forEach(function (i) { var id = KG.nodeFor(KG.papers[i]); if (id >= 0) { ids.push(id); } });
  if (rec.type === "cluster") {
    KG.scene.nodes.forEach(function (n) { if (n.kind !== "paper" && n.cluster === rec.k) { ids.push(n.id); } });
  }
  return ids;
}

// A long abstract starts folded, so the similar papers below it stay in sight.
function showAbstract(box, text) {
  text = text || "(no abstract on the page)";
  var shown = el("p", text, "abstract");
  box.replaceChildren(shown);
  if (text.length > 420) {
    shown.textContent = text.slice(0, 400).replace(/\s+\S*$/, "") + " …";
    var more = el("button", "Show the whole abstract", "linkish sub");
    more.type = "button";
    more.addEventListener("click", function () { shown.textContent = text; more.remove(); });
    box.appendChild(more);
  }
}

var OTHERS = "other clusters (grey) and unlinked papers";

KG.open = function (rec, opts) {
  opts = opts || {};
  if (opts.from !== "legend" && KG.releaseLegend) { KG.releaseLegend(); }
  // A search result outside the focus view is shown on the map.
  if (opts.from === "search" && KG.scene.mode === "focus" && rec.type !== "cluster" && KG.nodeFor(rec) < 0) { KG.showMap(); }
  if (KG.shown && opts.from === "panel" && recKey(KG.shown) !== recKey(rec)) { trail.push(KG.shown); }
  if (opts.from === "search" || opts.from === "map" || opts.from === "legend") { trail.length = 0; }
  KG.shown = rec;
  render(rec);
  var id = rec.type === "cluster" ? -1 : KG.nodeFor(rec);
  if (id >= 0) {
    KG.network.selectNodes([id]);
    var ids = KG.neighbourhood(id).concat(relatedNodes(rec));
    KG.setHighlight(ids);
    KG.highlight.origin = id;
    if (opts.from !== "map" && opts.from !== "focus") { KG.locate(id, true); }
  } else {
    KG.network.unselectAll();
    var related = relatedNodes(rec);
    KG.setHighlight(related.length ? related : null);
  }
  var name = KG.nameOf(rec.type === "cluster" ? { type: "concept", label: rec.k < D.K.coloured ? KG.clusterName(rec.k) : OTHERS } : rec);
  KG.status(KG.kindName[rec.type] ? KG.kindName[rec.type].replace(/^./, function (s) { return s.toUpperCase(); }) + ": " + name
    + (rec.type === "paper" && id < 0 ? " (not drawn on this map)" : "") : "Cluster: " + name);
};
KG.kindName.cluster = "cluster";

// Bring a node into view (zooming in if the map is shown smaller than it reads).
KG.locate = function (id, keepZoom) {
  var n = KG.scene.byId[id];
  if (!n) { return; }
  var scale = KG.network.getScale();
  var target = keepZoom ? Math.max(scale, 1) : Math.max(scale, 1.2);
  KG.moveTo({ position: { x: n.x, y: n.y }, scale: target }, 300);
};

KG.clearSelection = function () {
  if (KG.releaseLegend) { KG.releaseLegend(); }
  KG.shown = null;
  trail.length = 0;
  panel.hidden = true;
  panel.replaceChildren();
  if (KG.network) { KG.network.unselectAll(); KG.setHighlight(null); }
  KG.openSheet(false);
};
