// search.js: search by relevance over papers (title, abstract, the concepts they are tagged
// with, authors, code), concepts (labels and other labels such as acronyms), authors, code
// owners and repositories.  Every paper can be found, drawn on the map or not.
//
// Results come in tiers, best first: exact matches (a concept's label or acronym, a title,
// a name); a concept label one edit away from the query; concepts holding the query as a
// phrase (the five best); papers whose title holds the query as a phrase, then papers whose
// title holds every word; papers whose title, concepts and authors hold every word; papers
// whose abstract is needed for that.  Within a tier, field-weighted overlap: a title word
// counts more than a concept's, an author's or the abstract's, a rare word more than a common
// one, and a short title or label the query covers more of ranks above a long one.  A word of
// four letters or more that nothing in titles, concepts or names spells that way matches the
// words one edit away.
var STOP = {};
("a an and are as at be by for from in into is it its of on or our the their this to via we with " +
 "without using towards toward based through over under than that these those can how what when why").split(" ")
  .forEach(function (w) { STOP[w] = true; });

function norm(text) {
  return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
}
KG.norm = norm;
function tokens(text) { return norm(text).match(/[\p{L}\p{N}]+/gu) || []; }
KG.tokens = tokens;

// Damerau–Levenshtein distance exactly 1: a letter dropped, added, changed, or two
// neighbouring letters swapped.
function oneEdit(a, b) {
  var la = a.length, lb = b.length, i = 0;
  if (la === lb) {
    while (i < la && a[i] === b[i]) { i++; }
    if (i === la) { return false; }
    if (a.slice(i + 1) === b.slice(i + 1)) { return true; }
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  if (la - lb !== 1 && lb - la !== 1) { return false; }
  if (la < lb) { var t = a; a = b; b = t; }
  while (i < b.length && a[i] === b[i]) { i++; }
  return a.slice(i + 1) === b.slice(i);
}
KG.oneEdit = oneEdit;

var TIER = { exact: 1000, near: 900, phrase: 800, agent: 760, agentWords: 740, titlePhrase: 700, code: 640, title: 600,
             words: 500, tagged: 450, abstract: 300 };
var CONCEPT_PHRASES = 5;  // concepts kept in the phrase tier; the rest rank with the word matches
var FIELD = { t: 3, c: 2, a: 2, b: 1 };  // title, concepts, authors and code, abstract
var PREFIXES = 400;  // words a prefix may stand for

// The index ------------------------------------------------------------------------------
var index = null;
function buildIndex() {
  var vocab = new Map(), words = [];
  function id(word) {
    var k = vocab.get(word);
    if (k === undefined) { k = words.length; vocab.set(word, k); words.push(word); }
    return k;
  }
  function ids(text) { return tokens(text).map(id); }
  function post(map, row, list) {
    list.forEach(function (w) {
      var rows = map.get(w);
      if (!rows) { map.set(w, (rows = [])); }
      if (rows[rows.length - 1] !== row) { rows.push(row); }
    });
  }
  var ix = { vocab: vocab, words: words, title: [], forms: [], agent: [], repo: [], owner: [],
             postT: new Map(), postB: new Map(), postC: new Map(), postA: new Map(), postR: new Map(), postO: new Map() };
  KG.papers.forEach(function (p, i) {
    ix.title.push(ids(p.title));
    post(ix.postT, i, ix.title[i]);
    if (p.abstract) { post(ix.postB, i, ids(p.abstract)); }
  });
  KG.concepts.forEach(function (c, i) {
    ix.forms.push([ids(c.label)].concat(c.alt.map(ids)));
    ix.forms[i].forEach(function (form) { post(ix.postC, i, form); });
  });
  KG.authors.forEach(function (a, i) { ix.agent.push(ids(a.name)); post(ix.postA, i, ix.agent[i]); });
  KG.repos.forEach(function (r, i) { ix.repo.push(ids(r.name)); post(ix.postR, i, ix.repo[i]); });
  KG.owners.forEach(function (o, i) { ix.owner.push(ids(o.name)); post(ix.postO, i, ix.owner[i]); });
  ix.labels = KG.concepts.map(function (c) { return [norm(c.label)].concat(c.alt.map(norm)); });
  ix.sorted = words.map(function (w, k) { return k; }).sort(function (a, b) { return words[a] < words[b] ? -1 : words[a] > words[b] ? 1 : 0; });
  ix.byLength = [];
  words.forEach(function (w, k) { (ix.byLength[w.length] = ix.byLength[w.length] || []).push(k); });
  var np = Math.max(1, KG.papers.length), nc = Math.max(1, KG.concepts.length);
  ix.idfT = function (w) { var rows = ix.postT.get(w); return Math.log(1 + np / (1 + (rows ? rows.length : 0))); };
  ix.idfC = function (w) { var rows = ix.postC.get(w); return Math.log(1 + nc / (1 + (rows ? rows.length : 0))); };
  ix.maxCount = KG.concepts.reduce(function (m, c) { return Math.max(m, c.count); }, 1);
  index = ix;
}
KG.searchIndex = function () { if (!index) { buildIndex(); } return index; };

// The query -----------------------------------------------------------------------------
function findable(ids) {
  var found = false;
  ids.forEach(function (q, w) { found = found || index.postT.has(w) || index.postC.has(w) || index.postA.has(w); });
  return found;
}
// What a query word stands for, {word id: quality}: itself (1), its singular (0.95), the
// words it starts (three letters or more, or a query of one word), and when none of these is
// in a title, a concept or a name, the words one edit away (0.6).
function expand(w, alone) {
  var ix = index, out = new Map(), typos = [];
  var k = ix.vocab.get(w);
  if (k !== undefined) { out.set(k, 1); }
  if (w.length > 3 && w.charAt(w.length - 1) === "s" && ix.vocab.has(w.slice(0, -1))) { out.set(ix.vocab.get(w.slice(0, -1)), 0.95); }
  if (w.length >= 3 || (alone && w.length >= 2)) {
    var lo = 0, hi = ix.sorted.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (ix.words[ix.sorted[mid]] < w) { lo = mid + 1; } else { hi = mid; } }
    for (var j = lo, n = 0; j < ix.sorted.length && n < PREFIXES; j++) {
      var id = ix.sorted[j], word = ix.words[id];
      if (word.lastIndexOf(w, 0) !== 0) { break; }
      if (!out.has(id)) { out.set(id, word.length - w.length <= 2 ? 0.85 : 0.75); n++; }
    }
  }
  if (w.length >= 4 && !findable(out)) {
    [w.length - 1, w.length, w.length + 1].forEach(function (len) {
      (ix.byLength[len] || []).forEach(function (id) {
        if (!out.has(id) && oneEdit(w, ix.words[id])) { out.set(id, 0.6); typos.push(ix.words[id]); }
      });
    });
  }
  // A word's weight: the rarity (in titles) of what it most likely stands for.
  var top = 0, idf = 0;
  out.forEach(function (q, id) { var v = ix.idfT(id); if (q > top || (q === top && v < idf)) { top = q; idf = v; } });
  return { word: w, ids: out, typos: typos, idf: idf || 1 };
}

function parse(query) {
  var words = tokens(query);
  var required = words.map(function (w) { return !STOP[w]; });
  if (!required.some(Boolean)) { required = words.map(function () { return true; }); }
  return { text: norm(query), words: words, required: required,
           exps: words.map(function (w) { return expand(w, words.length === 1); }) };
}

// How a token list (a title, a label, a name) meets the query: each word's best quality in
// it, whether it holds every required word, and whether it holds the words in order, side by side.
function meet(T, Q) {
  var n = Q.words.length, q = [], all = true, k, j;
  for (k = 0; k < n; k++) {
    var m = Q.exps[k].ids, best = 0;
    for (j = 0; j < T.length; j++) { var v = m.get(T[j]); if (v > best) { best = v; } }
    q.push(best);
    if (Q.required[k] && !best) { all = false; }
  }
  var phrase = false;
  for (var s = 0; all && !phrase && s + n <= T.length; s++) {
    var ok = true;
    for (k = 0; k < n && ok; k++) { ok = Q.exps[k].ids.has(T[s + k]); }
    phrase = ok;
  }
  var exact = phrase && T.length === n && q.every(function (v) { return v >= 0.95; });
  return { q: q, all: all, phrase: phrase, exact: exact };
}
// The share of a token list the query covers, each token weighted by `idf`.
function coverage(T, Q, idf) {
  var total = 0, got = 0;
  T.forEach(function (t) {
    var w = idf(t), best = 0;
    total += w;
    Q.exps.forEach(function (e) { var v = e.ids.get(t); if (v > best) { best = v; } });
    got += w * best;
  });
  return total ? got / total : 0;
}
function one() { return 1; }

// Rows that may hold every required word: those holding the rarest one.
function candidates(post, Q) {
  var best = null;
  Q.exps.forEach(function (e, k) {
    if (!Q.required[k]) { return; }
    var set = new Set();
    e.ids.forEach(function (q, w) { var rows = post.get(w); if (rows) { rows.forEach(function (r) { set.add(r); }); } });
    if (!best || set.size < best.size) { best = set; }
  });
  return best || new Set();
}

// Scoring ----------------------------------------------------------------------------------
function conceptHits(Q, results) {
  var ix = index, phrases = [];
  var exact = false;
  candidates(ix.postC, Q).forEach(function (i) {
    var c = KG.concepts[i], pop = Math.log(1 + c.count) / Math.log(1 + ix.maxCount), top = 0;
    ix.forms[i].forEach(function (form, f) {
      var m = meet(form, Q);
      if (!m.all) { return; }
      // A word matched by a longer word it starts ("gaussian" in "GaussianFocus") counts less.
      var cov = coverage(form, Q, ix.idfC) * Math.min.apply(null, m.q.filter(Boolean)), s;
      if (m.exact) { s = TIER.exact + 40 + (f ? 0 : 5) + 20 * pop; exact = true; }
      else if (m.phrase) { s = TIER.phrase + 50 * cov + 20 * pop; }
      else { s = TIER.words + 40 * cov + 20 * pop; }
      top = Math.max(top, s);
    });
    if (!top) { return; }
    var r = { rec: c, score: top, why: plural(c.count, "paper") };
    results.push(r);
    if (top >= TIER.phrase && top < TIER.near) { phrases.push(r); }
  });
  // The five best phrase matches stay above the titles; the rest rank with the word matches.
  phrases.sort(function (a, b) { return b.score - a.score || a.rec.i - b.rec.i; });
  phrases.slice(CONCEPT_PHRASES).forEach(function (r) { r.score -= TIER.phrase - TIER.words; });
  // A label one edit from the whole query (a typo of it).
  if (!exact && Q.text.length >= 4) {
    var seen = {};
    results.forEach(function (r) { if (r.rec.type === "concept") { seen[r.rec.i] = r; } });
    ix.labels.forEach(function (forms, i) {
      if (!forms.some(function (label) { return oneEdit(Q.text, label); })) { return; }
      var c = KG.concepts[i], s = TIER.near + 20 * Math.log(1 + c.count) / Math.log(1 + ix.maxCount);
      if (seen[i]) { seen[i].score = Math.max(seen[i].score, s); }
      else { results.push({ rec: c, score: s, why: plural(c.count, "paper") + " · spelled “" + c.label + "”" }); }
    });
  }
}

function agentHits(Q, results, post, toks, records, exactTier, why) {
  candidates(post, Q).forEach(function (i) {
    var m = meet(toks[i], Q);
    if (!m.all) { return; }
    var cov = coverage(toks[i], Q, one);
    var tier = records[i].type === "author" ? (m.phrase ? TIER.agent : TIER.agentWords) : TIER.code;
    var s = m.exact ? exactTier : tier + 30 * cov;
    results.push({ rec: records[i], score: s, why: why(records[i]) });
  });
}

// Each paper's best quality per query word in each field: title, concepts, authors and
// code, abstract.
function paperFields(Q) {
  var ix = index, n = Q.words.length, fields = new Map(), via = new Map();
  function slot(p) {
    var f = fields.get(p);
    if (!f) { f = new Float32Array(4 * n); fields.set(p, f); }
    return f;
  }
  function mark(p, k, field, q, why) {
    var f = slot(p), at = field * n + k;
    if (q > f[at]) {
      f[at] = q;
      if (why && (field === 1 || field === 2)) { var v = via.get(p); if (!v || v[0] < q) { via.set(p, [q, why]); } }
    }
  }
  Q.exps.forEach(function (e, k) {
    var concepts = new Map(), agents = [];
    e.ids.forEach(function (q, w) {
      (ix.postT.get(w) || []).forEach(function (p) { mark(p, k, 0, q); });
      (ix.postB.get(w) || []).forEach(function (p) { mark(p, k, 3, q); });
      (ix.postC.get(w) || []).forEach(function (c) { if (!(concepts.get(c) >= q)) { concepts.set(c, q); } });
      (ix.postA.get(w) || []).forEach(function (a) { agents.push([KG.authors[a], q, "by "]); });
      (ix.postR.get(w) || []).forEach(function (r) { agents.push([KG.repos[r], q, "code "]); });
      (ix.postO.get(w) || []).forEach(function (o) { agents.push([KG.owners[o], q, "code by "]); });
    });
    concepts.forEach(function (q, c) {
      var concept = KG.concepts[c];
      concept.papers.forEach(function (p) { mark(p, k, 1, q, "tagged " + concept.label); });
    });
    agents.forEach(function (a) { a[0].papers.forEach(function (p) { mark(p, k, 2, a[1], a[2] + a[0].name); }); });
  });
  return { fields: fields, via: via };
}

function paperHits(Q, results) {
  var ix = index, n = Q.words.length, found = paperFields(Q);
  var weight = 0;
  Q.exps.forEach(function (e, k) { if (Q.required[k]) { weight += e.idf; } });
  found.fields.forEach(function (f, i) {
    var inTitle = true, inTags = true, any = true, qcov = 0, fieldScore = 0;
    for (var k = 0; k < n; k++) {
      if (!Q.required[k]) { continue; }
      var t = f[k], c = f[n + k], a = f[2 * n + k], b = f[3 * n + k];
      var best = Math.max(FIELD.t * t, FIELD.c * c, FIELD.a * a, FIELD.b * b);
      if (!t) { inTitle = false; }
      if (!t && !c && !a) { inTags = false; }
      if (!best) { any = false; break; }
      qcov += Q.exps[k].idf * t;
      fieldScore += Q.exps[k].idf * best;
    }
    if (!any) { return; }
    var p = KG.papers[i], s, why;
    if (inTitle) {
      var T = ix.title[i], m = meet(T, Q);
      var tcov = coverage(T, Q, ix.idfT);
      s = (m.exact ? TIER.exact + 45 : m.phrase ? TIER.titlePhrase : TIER.title) + 50 * qcov / weight + 40 * tcov;
      why = m.exact ? "its title" : m.phrase ? "the phrase in its title" : "every word in its title";
    } else {
      s = (inTags ? TIER.tagged : TIER.abstract) + 60 * fieldScore / (FIELD.t * weight);
      why = inTags ? (found.via.get(i) || [0, "every word in its title, concepts or authors"])[1] : "in its abstract";
    }
    // Among equals, drawn and better linked papers first.
    s += (p.node >= 0 ? 0.3 : 0) + Math.min(0.2, p.similar.length / 50);
    results.push({ rec: p, score: s, why: why });
  });
}

var KIND_ORDER = { concept: 0, paper: 1, author: 2, repo: 3, owner: 4, page: 5 };
KG.search = function (query) {
  KG.searchIndex();
  var Q = parse(query);
  if (Q.text.length < 2 || !Q.words.length) { return []; }
  var results = [];
  conceptHits(Q, results);
  agentHits(Q, results, index.postA, index.agent, KG.authors, TIER.exact + 30, function (a) { return plural(a.papers.length, "paper"); });
  agentHits(Q, results, index.postO, index.owner, KG.owners, TIER.exact + 20, function (o) { return "code of " + plural(o.papers.length, "paper"); });
  agentHits(Q, results, index.postR, index.repo, KG.repos, TIER.exact + 20, function (r) { return r.url; });
  paperHits(Q, results);
  results.sort(function (a, b) {
    return b.score - a.score || KIND_ORDER[a.rec.type] - KIND_ORDER[b.rec.type] || a.rec.i - b.rec.i;
  });
  results.typos = [];
  Q.exps.forEach(function (e) { if (e.typos.length) { results.typos.push([e.word, e.typos.slice(0, 3)]); } });
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
  var read = results.typos.map(function (t) { return "“" + t[0] + "” as " + t[1].map(function (w) { return "“" + w + "”"; }).join(" or "); });
  KG.status(plural(results.length, "result") + " for “" + query.trim() + "” (" + plural(papers, "paper") + ")" +
    (read.length ? ", reading " + read.join(", ") : "") + ". ↑ ↓ to move, Enter to open the first.");
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
