// search.js: a search box with a ranked result list over papers (titles, their concepts,
// authors and code), concepts (labels and other labels such as acronyms), authors, code
// owners and repositories.  Every paper can be found, drawn on the map or not.
function norm(text) {
  return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
}
KG.norm = norm;

// How well `q` matches `text`: whole text, its start, the start of a word, or (for longer
// queries) anywhere.  Short queries match only at word starts: "llm" must not find "nullmax".
function matchScore(text, q) {
  if (!text) { return 0; }
  if (text === q) { return 100; }
  if (text.indexOf(q) === 0) { return 80; }
  var at = text.indexOf(q);
  while (at > 0) {
    if (!/[a-z0-9]/.test(text.charAt(at - 1))) { return 60; }
    at = text.indexOf(q, at + 1);
  }
  return q.length >= 4 && text.indexOf(q) >= 0 ? 30 : 0;
}
KG.matchScore = matchScore;

var index = null;
function buildIndex() {
  index = {
    papers: KG.papers.map(function (p) { return norm(p.title); }),
    concepts: KG.concepts.map(function (c) { return [norm(c.label)].concat(c.alt.map(norm)); }),
    authors: KG.authors.map(function (a) { return norm(a.name); }),
    owners: KG.owners.map(function (o) { return norm(o.name); }),
    repos: KG.repos.map(function (r) { return norm(r.name); })
  };
}

function best(texts, q) {
  var top = 0;
  for (var i = 0; i < texts.length; i++) { top = Math.max(top, matchScore(texts[i], q)); }
  return top;
}

// All the words of a multi-word query must match (at word starts) somewhere in the paper.
function allWords(p, words) {
  var hay = [index.papers[p.i]];
  p.concepts.forEach(function (c) { hay = hay.concat(index.concepts[c]); });
  p.authors.forEach(function (a) { hay.push(index.authors[a]); });
  return words.every(function (w) { return hay.some(function (h) { return matchScore(h, w) >= 60; }); });
}

KG.search = function (query) {
  if (!index) { buildIndex(); }
  var q = norm(query);
  if (q.length < 2) { return []; }
  var results = [];
  var paperScore = {}, paperWhy = {};
  function paperHit(i, score, why) {
    if (!paperScore[i] || score > paperScore[i]) { paperScore[i] = score; paperWhy[i] = why; }
  }
  KG.papers.forEach(function (p, i) {
    var s = matchScore(index.papers[i], q);
    if (s) { paperHit(i, s >= 60 ? s + 10 : s, ""); }
  });
  KG.concepts.forEach(function (c, i) {
    var s = best(index.concepts[i], q);
    if (s < 60) { return; }
    results.push({ rec: c, score: s + 5 + Math.min(4, Math.log(1 + c.count)), why: plural(c.count, "paper") });
    c.papers.forEach(function (p) { paperHit(p, 50 + (s - 60) / 4, "tagged " + c.label); });
  });
  KG.authors.forEach(function (a, i) {
    var s = matchScore(index.authors[i], q);
    if (s < 60) { return; }
    results.push({ rec: a, score: s - 8, why: plural(a.papers.length, "paper") });
    a.papers.forEach(function (p) { paperHit(p, 48 + (s - 60) / 4, "by " + a.name); });
  });
  KG.owners.forEach(function (o, i) {
    var s = matchScore(index.owners[i], q);
    if (s < 60) { return; }
    results.push({ rec: o, score: s - 12, why: "code of " + plural(o.papers.length, "paper") });
    o.papers.forEach(function (p) { paperHit(p, 44 + (s - 60) / 4, "code by " + o.name); });
  });
  KG.repos.forEach(function (r, i) {
    var s = matchScore(index.repos[i], q);
    if (s < 60) { return; }
    results.push({ rec: r, score: s - 12, why: r.url });
    r.papers.forEach(function (p) { paperHit(p, 46 + (s - 60) / 4, "code " + r.name); });
  });
  var words = q.split(" ");
  if (words.length > 1) {
    KG.papers.forEach(function (p, i) {
      if (!paperScore[i] && allWords(p, words)) { paperHit(i, 40, "matches every word"); }
    });
  }
  Object.keys(paperScore).forEach(function (i) {
    var p = KG.papers[i];
    // Drawn and better linked papers first among equals.
    results.push({ rec: p, score: paperScore[i] + (p.node >= 0 ? 0.5 : 0) + Math.min(0.4, p.similar.length / 20), why: paperWhy[i] });
  });
  results.sort(function (a, b) {
    return b.score - a.score || KG.nameOf(a.rec).localeCompare(KG.nameOf(b.rec));
  });
  return results;
};

// The result list ------------------------------------------------------------------------
var LIMIT = 40;
var current = [], active = -1;
var input = document.getElementById("search");
var list = document.getElementById("results");

function describe(r) {
  var rec = r.rec, bits = [];
  if (rec.type === "paper") {
    if (r.why) { bits.push(r.why); }
    var date = KG.dateText(rec);
    if (date) { bits.push(date); }
    if (rec.node < 0) { bits.push("not drawn"); }
  } else {
    bits.push(r.why);
  }
  return bits.join(" · ");
}

function closeList() {
  list.hidden = true;
  list.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  current = [];
  active = -1;
}
KG.closeResults = closeList;

function setActive(k) {
  var items = list.querySelectorAll("li[role=option]");
  if (!items.length) { return; }
  active = (k + items.length) % items.length;
  items.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
  input.setAttribute("aria-activedescendant", items[active].id);
  items[active].scrollIntoView({ block: "nearest" });
}

function choose(k) {
  var r = current[k];
  if (!r) { return; }
  closeList();
  if (r.rec.type === "paper" && KG.scene.mode === "map" && KG.nodeFor(r.rec) < 0) {
    // Not among the drawn papers: its focus view brings it, and its nearest papers, on screen.
    KG.focusOn(r.rec.i);
    KG.status("“" + r.rec.title + "” is not among the " + plural(KG.drawnPapers, "drawn paper") +
      ": shown with its nearest papers. Escape or “Back to the map” returns.");
    return;
  }
  KG.open(r.rec, { from: "search" });
  if (r.rec.type === "concept" && r.rec.papers.length) {
    var shown = r.rec.papers.filter(function (i) { return KG.nodeFor(KG.papers[i]) >= 0; }).length;
    if (shown < r.rec.papers.length) {
      KG.status("Concept: " + r.rec.label + " · " + shown.toLocaleString("en") + " of its " +
        plural(r.rec.papers.length, "paper") + " drawn (highlighted); the panel lists them all.");
    }
  }
}

KG.runSearch = function (query) {
  var results = KG.search(query);
  list.replaceChildren();
  current = results.slice(0, LIMIT);
  active = -1;
  if (!norm(query)) { closeList(); KG.status(KG.summary()); return results; }
  if (!results.length) {
    closeList();
    KG.clearSelection();
    KG.status("Nothing matches “" + query.trim() + "”.");
    return results;
  }
  current.forEach(function (r, k) {
    var li = el("li");
    li.id = "result-" + k;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    var t = el("span", "", "t");
    t.appendChild(el("span", KG.kindName[r.rec.type], "badge"));
    t.appendChild(document.createTextNode(KG.nameOf(r.rec)));
    li.appendChild(t);
    li.appendChild(el("span", describe(r), "m"));
    li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
    list.appendChild(li);
  });
  if (results.length > LIMIT) { list.appendChild(el("li", "… and " + (results.length - LIMIT) + " more; type more words to narrow", "more")); }
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  var papers = results.filter(function (r) { return r.rec.type === "paper"; }).length;
  KG.status(plural(results.length, "result") + " for “" + query.trim() + "” (" + plural(papers, "paper") + "). ↑ ↓ to move, Enter to open.");
  return results;
};

var timer = null;
input.addEventListener("input", function () {
  clearTimeout(timer);
  timer = setTimeout(function () { KG.runSearch(input.value); }, KG.papers.length > 3000 ? 120 : 40);
});
input.addEventListener("keydown", function (ev) {
  if (ev.key === "ArrowDown") { ev.preventDefault(); if (list.hidden) { KG.runSearch(input.value); } setActive(active + 1); }
  else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
  else if (ev.key === "Enter") {
    ev.preventDefault();
    clearTimeout(timer);
    if (list.hidden || !current.length) { KG.runSearch(input.value); }
    if (current.length) { choose(active >= 0 ? active : 0); }
  } else if (ev.key === "Escape") {
    ev.preventDefault();
    ev.stopPropagation();
    if (!list.hidden || input.value) { input.value = ""; closeList(); KG.status(KG.summary()); }
    else { KG.escape(); }
  }
});
input.addEventListener("blur", function () { setTimeout(closeList, 150); });
