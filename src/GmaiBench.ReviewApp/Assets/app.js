// gmai review: keyboard-first screening of a build's items. No framework, no network beyond this app's own API.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const st = { items: [], pos: 0, view: "grid", zoom: 0, where: "", detail: null, reasons: [] };

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const c of children) e.append(c);
    return e;
  }
  function showError(msg) { const e = $("error"); e.textContent = msg || ""; e.hidden = !msg; }
  function writeHash() {
    const p = new URLSearchParams();
    if (st.where) p.set("where", st.where);
    p.set("view", st.view);
    if (st.items.length) p.set("item", st.items[st.pos].index);
    history.replaceState(null, "", "#" + p.toString());
  }
  function verdictText(s) { return s ? s.verdict + (s.reason ? ": " + s.reason : "") + " (" + s.reviewer + ")" : "not reviewed"; }

  async function api(url, options) {
    const r = await fetch(url, Object.assign({ credentials: "same-origin" }, options || {}));
    const body = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }

  async function load(where, wantIndex) {
    try {
      const data = await api("/api/items?where=" + encodeURIComponent(where || ""));
      showError("");
      st.where = where || "";
      st.items = data.items;
      st.reasons = data.reasons;
      const found = st.items.findIndex((i) => i.index === wantIndex);
      st.pos = found >= 0 ? found : 0;
      $("count").textContent = `${data.items.length} of ${data.total} items`;
      renderProgress(data.progress);
      renderGrid();
      await render();
    } catch (e) { showError("filter: " + e.message); }
  }

  function renderProgress(rows) {
    const box = $("progress");
    box.replaceChildren();
    for (const group of ["task", "department", "source"]) {
      const t = el("table", {}, el("tr", {}, el("th", { textContent: group }), el("th", { textContent: "reviewed" }), el("th", { textContent: "" })));
      for (const r of rows.filter((x) => x.group === group)) {
        const bar = el("span", { className: "bar" }, el("span"));
        bar.firstChild.style.width = (100 * r.decided / Math.max(1, r.items)).toFixed(1) + "%";
        t.append(el("tr", {}, el("td", { textContent: r.value }), el("td", { textContent: `${r.decided}/${r.items}` + (r.flagged ? ` (${r.flagged} flagged)` : "") }), el("td", {}, bar)));
      }
      box.append(t);
    }
  }

  function renderGrid() {
    const grid = $("grid");
    grid.replaceChildren();
    st.items.forEach((it, i) => {
      const img = el("img", { src: `/img/${it.index}/marked.png`, loading: "lazy", alt: `item ${it.index}` });
      const tile = el("div", { className: "tile" + (it.state ? " " + it.state.verdict : "") + (i === st.pos ? " current" : "") },
        img, el("div", { textContent: `#${it.index} ${it.split} · ${it.source}` }), el("div", { className: "muted", textContent: it.category }));
      tile.dataset.index = it.index;
      tile.addEventListener("click", () => { st.pos = i; setView("item"); });
      grid.append(tile);
    });
  }

  function markTile(i) {
    const tiles = $("grid").children;
    for (const t of tiles) t.classList.remove("current");
    if (tiles[i]) { tiles[i].classList.add("current"); if (st.view === "grid") tiles[i].scrollIntoView({ block: "nearest" }); }
  }

  function setView(view) {
    st.view = view;
    $("grid").hidden = view !== "grid";
    $("item").hidden = view !== "item";
    $("toggle-view").textContent = view === "grid" ? "item" : "grid";
    render();
  }

  async function render() {
    writeHash();
    markTile(st.pos);
    if (st.view !== "item" || !st.items.length) return;
    const index = st.items[st.pos].index;
    const data = await api(`/api/items/${index}`);
    st.detail = data;
    const it = data.item;
    $("item-index").textContent = `Item ${it.index} (${st.pos + 1} of ${st.items.length})`;
    renderStatus(data.state);
    $("item-question").textContent = it.question;
    const answers = it.answer.split(",");
    $("item-options").replaceChildren(...it.options.map((o, k) =>
      el("li", { className: answers.includes(String.fromCharCode(65 + k)) ? "answer" : "", textContent: o })));
    const fact = (k, v) => el("tr", {}, el("th", { textContent: k }), el("td", { textContent: v == null || v === "" ? "-" : v }));
    $("item-facts").replaceChildren(
      fact("answer", `${it.answer} (${it.category})`), fact("source", it.source), fact("source file", it.sourceFile),
      fact("task", it.task), fact("department", it.department), fact("modality", it.modality), fact("granularity", it.granularity),
      fact("split", it.split), fact("labels", it.labels.join(", ")), fact("original task", it.originalTask), fact("key", it.key));
    $("item-why").replaceChildren(
      fact("label", it.regionLabel || it.labels.join(", ")), fact("slice / plane", it.plane || (it.granularity === "image" ? "whole image" : "2D image")),
      fact("template pool", it.templatePool), fact("distractor pool", it.distractorPool));
    renderDecisions(data.reviewers);
    const marked = $("img-marked"), unmarked = $("img-unmarked");
    marked.src = `/img/${it.index}/marked.png`;
    $("unmarked-figure").hidden = !it.hasUnmarked;
    if (it.hasUnmarked) unmarked.src = `/img/${it.index}/unmarked.png`; else unmarked.removeAttribute("src");
    applyZoom();
  }

  function renderStatus(state) {
    const s = $("item-status");
    s.className = "status" + (state ? " " + state.verdict : "");
    s.textContent = verdictText(state);
  }
  function renderDecisions(reviewers) {
    const entries = Object.entries(reviewers || {});
    $("item-decisions").replaceChildren(...(entries.length ? entries.map(([name, s]) => el("li", { textContent: `${name}: ${s.verdict}${s.reason ? " (" + s.reason + ")" : ""} at ${s.time}` }))
      : [el("li", { className: "muted", textContent: "none yet" })]));
  }

  // zoom 0 fits the image to its pane; otherwise it is the scale of the image's own pixels.
  function applyZoom() {
    for (const img of [$("img-marked"), $("img-unmarked")]) {
      const set = () => { img.style.width = st.zoom ? Math.round(img.naturalWidth * st.zoom) + "px" : "100%"; };
      if (img.complete) set(); else img.onload = set;
    }
    $("zoom").textContent = st.zoom ? Math.round(st.zoom * 100) + "%" : "fit";
  }
  function zoomBy(factor) {
    const img = $("img-marked");
    const current = st.zoom || (img.naturalWidth ? img.clientWidth / img.naturalWidth : 1);
    st.zoom = Math.max(0.25, Math.min(16, current * factor));
    applyZoom();
  }

  async function decide(verdict, reason) {
    if (!st.items.length) return;
    const current = st.items[st.pos];
    try {
      const data = await api(`/api/items/${current.index}/decision`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-TOKEN": token },
        body: JSON.stringify({ verdict, reason: reason || "" }),
      });
      showError("");
      current.state = data.state;
      const tile = $("grid").children[st.pos];
      if (tile) { tile.classList.remove("accept", "reject", "flag"); if (data.state) tile.classList.add(data.state.verdict); }
      if (verdict !== "undo" && st.pos < st.items.length - 1) { st.pos++; await render(); }
      else if (st.view === "item") { renderStatus(data.state); renderDecisions(data.reviewers); }
      const p = await api("/api/items?where=" + encodeURIComponent(st.where));
      renderProgress(p.progress);
    } catch (e) { showError(e.message); }
  }

  function openReject() {
    if (!st.items.length) return;
    $("reject-index").textContent = st.items[st.pos].index;
    $("reject-reasons").replaceChildren(...st.reasons.map((r) => el("li", { textContent: r })));
    $("reject-text").value = "";
    $("reject-dialog").showModal();
    $("reject-text").focus();
  }
  function submitReject(reason) {
    $("reject-dialog").close();
    if (reason && reason.trim()) decide("reject", reason.trim());
  }
  $("reject-text").addEventListener("keydown", (e) => {
    const text = $("reject-text").value;
    if (!text && /^[1-9]$/.test(e.key) && st.reasons[+e.key - 1]) { e.preventDefault(); submitReject(st.reasons[+e.key - 1]); }
    else if (e.key === "Enter") { e.preventDefault(); submitReject(text); }
  });
  $("reject-form").addEventListener("submit", (e) => { e.preventDefault(); submitReject($("reject-text").value); });

  function move(delta) {
    if (!st.items.length) return;
    st.pos = Math.max(0, Math.min(st.items.length - 1, st.pos + delta));
    render();
  }

  document.addEventListener("keydown", (e) => {
    if ($("reject-dialog").open || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target instanceof HTMLInputElement) { if (e.key === "Escape") e.target.blur(); return; }
    const keys = {
      j: () => move(1), ArrowRight: () => move(1), k: () => move(-1), ArrowLeft: () => move(-1),
      a: () => decide("accept"), r: openReject, f: () => decide("flag"), u: () => decide("undo"),
      g: () => setView(st.view === "grid" ? "item" : "grid"), Enter: () => st.view === "grid" && setView("item"),
      Escape: () => { $("help").hidden = true; if (st.view === "item") setView("grid"); },
      "+": () => zoomBy(1.25), "=": () => zoomBy(1.25), "-": () => zoomBy(1 / 1.25), "0": () => { st.zoom = 0; applyZoom(); },
      "/": () => $("filter").focus(), p: () => { $("progress").hidden = !$("progress").hidden; }, "?": () => { $("help").hidden = !$("help").hidden; },
    };
    const action = keys[e.key];
    if (action) { e.preventDefault(); action(); }
  });
  $("filter-form").addEventListener("submit", (e) => { e.preventDefault(); $("filter").blur(); load($("filter").value.trim()); });
  $("toggle-view").addEventListener("click", () => setView(st.view === "grid" ? "item" : "grid"));
  $("toggle-progress").addEventListener("click", () => { $("progress").hidden = !$("progress").hidden; });
  $("toggle-help").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });

  const hash = new URLSearchParams(location.hash.slice(1));
  const where = hash.has("where") ? hash.get("where") : document.body.dataset.filter;
  $("filter").value = where || "";
  st.view = hash.get("view") === "item" ? "item" : "grid";
  $("grid").hidden = st.view !== "grid";
  $("item").hidden = st.view !== "item";
  $("toggle-view").textContent = st.view === "grid" ? "item" : "grid";
  load(where, hash.has("item") ? +hash.get("item") : undefined);
})();
