// base.js: the page's data as records, and small helpers.  Every text from the inputs goes
// into the page through textContent (el, text nodes) or the canvas, never as HTML.
var KG = (window.KG = {});
var D = (KG.data = DATA);

function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (cls) { e.className = cls; }
  return e;
}
KG.el = el;

function plural(n, one, many) {
  return n.toLocaleString("en") + " " + (n === 1 ? one : (many || one + "s"));
}
KG.plural = plural;

function rows(flat, width) {
  var out = [];
  for (var i = 0; i + width <= flat.length; i += width) { out.push(flat.slice(i, i + width)); }
  return out;
}

// Records -------------------------------------------------------------------------------
var P = D.P;
// A paper's place in time, in the page's unit: its year, or for a corpus of a year or two its
// month as year * 12 + month - 1 (0 when unknown).
function whenOf(date) {
  var m = /^(\d{4})(?:-(\d{2}))?/.exec(date || "");
  if (!m) { return 0; }
  if (D.timeUnit !== "month") { return +m[1]; }
  // Papers older than the span (a few old ids in a year's snapshot) count as at its start.
  return m[2] && +m[2] >= 1 && +m[2] <= 12 ? Math.max(D.years[0], +m[1] * 12 + +m[2] - 1) : 0;
}
KG.whenText = function (when) {
  return D.timeUnit === "month" ? MONTHS[when % 12] + " " + Math.floor(when / 12) : String(when);
};
KG.papers = P.t.map(function (title, i) {
  var date = P.d[i];
  return {
    type: "paper", i: i, title: title, date: date, year: parseInt(date, 10) || 0,
    concepts: P.c[i], authors: P.a[i], sources: P.s[i], links: P.x[i], abstract: P.ab[i],
    when: whenOf(date), cluster: P.k[i], citations: P.n[i], venue: P.v[i],
    similar: [], cites: [], citedBy: [], mentions: [], mentionedBy: [], node: -1
  };
});
KG.concepts = D.C.l.map(function (label, i) {
  return { type: "concept", i: i, label: label, alt: D.C.alt[i], count: D.C.n[i], papers: [],
           broader: [], narrower: [], node: -1 };
});
KG.authors = D.A.n.map(function (name, i) {
  return { type: "author", i: i, name: name, s2: D.A.s2[i], papers: [], node: -1 };
});
KG.owners = D.O.n.map(function (name, i) {
  return { type: "owner", i: i, name: name, url: D.O.u[i], repos: [], papers: [], node: -1 };
});
KG.repos = D.R.n.map(function (name, i) {
  return { type: "repo", i: i, name: name, url: D.R.u[i], owner: D.R.o[i], papers: [], node: -1 };
});
KG.pages = D.G.u.map(function (url, i) {
  return { type: "page", i: i, name: url, url: url, papers: [], node: -1 };
});
KG.sources = D.S.n.map(function (name, i) { return { name: name, date: D.S.d[i] }; });
KG.repos.forEach(function (r) { if (r.owner >= 0) { KG.owners[r.owner].repos.push(r.i); } });

KG.papers.forEach(function (p) {
  p.concepts.forEach(function (c) { KG.concepts[c].papers.push(p.i); });
  p.authors.forEach(function (a) { KG.authors[a].papers.push(p.i); });
  p.links.forEach(function (link) {
    if (link[0] === "code") {
      var r = KG.repos[link[1]];
      r.papers.push(p.i);
      if (r.owner >= 0 && KG.owners[r.owner].papers.indexOf(p.i) < 0) { KG.owners[r.owner].papers.push(p.i); }
    } else if (link[0] === "project page") {
      KG.pages[link[1]].papers.push(p.i);
    }
  });
});
rows(D.C.b, 2).forEach(function (r) {
  KG.concepts[r[0]].broader.push(r[1]);
  KG.concepts[r[1]].narrower.push(r[0]);
});
KG.bases = D.E.bases;
rows(D.E.sim, 4).forEach(function (r) {
  var w = r[2] / 10000, basis = D.E.bases[r[3]] || "concepts";
  KG.papers[r[0]].similar.push({ other: r[1], w: w, basis: basis });
  KG.papers[r[1]].similar.push({ other: r[0], w: w, basis: basis });
});
KG.papers.forEach(function (p) { p.similar.sort(function (a, b) { return b.w - a.w || a.other - b.other; }); });
rows(D.E.cite, 2).forEach(function (r) { KG.papers[r[0]].cites.push(r[1]); KG.papers[r[1]].citedBy.push(r[0]); });
rows(D.E.men, 2).forEach(function (r) { KG.papers[r[0]].mentions.push(r[1]); KG.papers[r[1]].mentionedBy.push(r[0]); });

KG.tables = { P: KG.papers, C: KG.concepts, A: KG.authors, O: KG.owners, R: KG.repos, G: KG.pages };
KG.kindOf = { P: "paper", C: "concept", A: "author", O: "owner", R: "repo", G: "page" };
KG.kindName = { paper: "paper", concept: "concept", author: "author", owner: "code owner", repo: "repository", page: "project page" };

// Clusters --------------------------------------------------------------------------------
KG.clusterName = function (k) {
  if (k >= 0 && k < D.K.coloured) { return D.K.names[k]; }
  return k >= 0 && D.K.names[k] ? D.K.names[k] + " (grey)" : "linked to nothing";
};
KG.clusterColour = function (k) { return k >= 0 && k < D.K.coloured ? D.K.colours[k] : D.K.other; };

// Names and short labels ----------------------------------------------------------------
KG.nameOf = function (rec) {
  return rec.type === "paper" ? rec.title : rec.type === "concept" ? rec.label : rec.name;
};
// A paper's map label: the name before its title's colon ("UniXcoder: ..."), else its
// first words.
KG.shortLabel = function (rec) {
  var text = KG.nameOf(rec);
  if (rec.type === "paper") {
    var colon = text.indexOf(": ");
    if (colon > 0 && colon <= 32) { return text.slice(0, colon); }
  }
  if (rec.type === "owner" || rec.type === "page") { text = text.replace(/^https?:\/\/(www\.)?/, ""); }
  return text.length > 34 ? text.slice(0, 32).replace(/\s+\S*$/, "") + "…" : text;
};
KG.yearOf = function (p) { return p.year || 0; };
var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// A date as precise as the paper's: "Mar 2025" for a month (never a made-up first day), else as written.
KG.formatDate = function (date) {
  var m = /^(\d{4})-(\d{2})$/.exec(date || "");
  return m && +m[2] >= 1 && +m[2] <= 12 ? MONTHS[+m[2] - 1] + " " + m[1] : date;
};
KG.dateText = function (p) {
  if (p.date) { return KG.formatDate(p.date); }
  var listed = p.sources.map(function (s) { return KG.sources[s[0]].date; }).filter(Boolean);
  return listed.length ? "listed " + listed[0] : "";
};

// Theme colours from CSS (light or dark).
KG.theme = function () {
  var css = getComputedStyle(document.documentElement);
  function v(name) { return css.getPropertyValue(name).trim(); }
  return { bg: v("--bg"), fg: v("--fg"), muted: v("--muted"), halo: v("--halo"), dim: v("--dim"), accent: v("--accent") };
};

// Colour by year: light (older) to dark (newer), as Connected Papers does.
KG.yearColour = function (year) {
  if (!D.years || !year) { return D.K.other; }
  var span = Math.max(1, D.years[1] - D.years[0]);
  var t = (year - D.years[0]) / span;
  var from = [237, 248, 177], to = [37, 52, 148];
  var c = from.map(function (f, i) { return Math.round(f + (to[i] - f) * t); });
  return "rgb(" + c.join(",") + ")";
};

KG.status = function (text) { document.getElementById("status").textContent = text; };
