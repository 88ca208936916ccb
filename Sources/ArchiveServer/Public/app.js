// DocVault's page. Everything that came from a document, a file name or a query is put on the
// page as text (textContent, createTextNode) or as a style number; never as HTML.
"use strict";

const state = { results: [], lowThreshold: 0.8, viewer: null };

// ---- small DOM helpers -------------------------------------------------------------------------

// The last component of a stored path (uploads live under a folder named by their hash);
// the whole path stays in the element's title.
function fileName(path) {
  return path.split("/").pop() || path;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child == null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const $ = (id) => document.getElementById(id);

function status(message, isError) {
  const box = $("status");
  box.textContent = message;
  box.className = isError ? "error" : "";
}

function percent(confidence) {
  return (confidence * 100).toFixed(1) + "%";
}

async function apiError(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") return body.error;
  } catch (_) { /* not JSON */ }
  return response.status + " " + response.statusText;
}

// ---- a page with its line boxes ----------------------------------------------------------------

// Boxes are pixels of the page as rasterised; as percentages they follow the image at any size.
function pageView(page, imageURL, highlightBox) {
  const frame = el("div", { class: "page-view", dataset: { page: String(page.page) } });
  const img = el("img", { alt: "page " + page.page, src: imageURL, draggable: "false" });
  frame.append(img);
  page.lines.forEach((line, index) => {
    const [x0, y0, x1, y1] = line.bbox;
    const box = el("div", {
      class: "box" + (line.confidence < state.lowThreshold ? " low" : ""),
      title: line.text + " (" + percent(line.confidence) + ")",
      dataset: { line: String(index) },
    });
    box.style.left = (100 * x0 / page.width) + "%";
    box.style.top = (100 * y0 / page.height) + "%";
    box.style.width = (100 * (x1 - x0) / page.width) + "%";
    box.style.height = (100 * (y1 - y0) / page.height) + "%";
    if (highlightBox && sameBox(line.bbox, highlightBox)) box.classList.add("hit");
    frame.append(box);
  });
  return frame;
}

function sameBox(a, b) {
  return a.length === 4 && b.length === 4 && a.every((v, i) => v === b[i]);
}

function lineList(page, highlightBox) {
  const list = el("ol", { class: "lines" });
  page.lines.forEach((line, index) => {
    const low = line.confidence < state.lowThreshold;
    const item = el("li", { class: "line" + (low ? " low" : ""), dataset: { line: String(index) } },
      el("span", { class: "confidence", text: percent(line.confidence) }),
      el("span", { class: "text", text: line.text }));
    if (low) item.title = "low confidence";
    if (highlightBox && sameBox(line.bbox, highlightBox)) item.classList.add("hit");
    list.append(item);
  });
  return list;
}

// Hovering a line lights up its box and the other way round.
function linkLinesAndBoxes(container) {
  container.addEventListener("mouseover", (event) => {
    const target = event.target.closest("[data-line]");
    container.querySelectorAll(".active").forEach((node) => node.classList.remove("active"));
    if (!target) return;
    const page = target.closest(".page-block");
    if (!page) return;
    page.querySelectorAll('[data-line="' + target.dataset.line + '"]').forEach((node) => node.classList.add("active"));
  });
}

function pageBlock(page, imageURL, highlightBox) {
  return el("div", { class: "page-block" },
    pageView(page, imageURL, highlightBox),
    el("div", { class: "page-text" }, el("h4", { text: "Page " + page.page }), lineList(page, highlightBox)));
}

// ---- upload and recognise ----------------------------------------------------------------------

async function recogniseFiles(files) {
  const store = $("store").checked;
  for (const file of files) {
    const card = el("article", { class: "result pending" }, el("h3", { text: file.name }), el("p", { text: "recognising…" }));
    $("results").prepend(card);
    try {
      const result = await postFile(file, store);
      state.results.push(result);
      renderResult(card, result, file);
      $("result-tools").hidden = false;
      if (store) loadDocuments();
    } catch (error) {
      card.className = "result failed";
      card.replaceChildren(el("h3", { text: file.name }), el("p", { class: "error", text: String(error.message || error) }));
    }
  }
  status(files.length + " file(s) done");
}

async function postFile(file, store) {
  const url = "/api/ocr?images=1" + (store ? "&store=1" : "");
  for (let attempt = 0; ; attempt++) {
    const form = new FormData();
    form.append("image", file, file.name);
    const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
    if (response.ok) return response.json();
    if (response.status === 503 && attempt < 5) {
      const wait = Math.min(10, Number(response.headers.get("Retry-After")) || 1);
      status("server busy, retrying " + file.name + " in " + wait + " s");
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    throw new Error(await apiError(response));
  }
}

function renderResult(card, result, file) {
  card.className = "result";
  const lines = result.lines.length;
  const header = el("h3", {}, result.filename, el("small", { text: " " + result.pages.length + " page(s), " + lines + " line(s)" }));
  if (result.document_id != null) header.append(el("small", { text: " · stored as #" + result.document_id }));
  card.replaceChildren(header);
  // Pages the pipeline could not read: said, not silently missing.
  for (const failure of result.failures || []) card.append(el("p", { class: "error", text: failure }));
  const fallbackURL = /^image\/(png|jpeg)$/.test(file.type) ? URL.createObjectURL(file) : "";
  for (const page of result.pages) card.append(pageBlock(page, page.image || fallbackURL, null));
  linkLinesAndBoxes(card);
}

function allLines() {
  return state.results.flatMap((result) => result.lines.map((line) => ({ file: result.filename, ...line })));
}

// RFC 4180 with a BOM for Excel; cells that a spreadsheet would run as a formula get a quote mark.
function csvCell(value) {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function downloadCSV() {
  const rows = [["file", "page", "text", "confidence", "x0", "y0", "x1", "y1"]];
  for (const line of allLines()) rows.push([line.file, line.page, line.text, line.confidence, ...line.bbox]);
  download("docvault-lines.csv", "text/csv;charset=utf-8",
    "\ufeff" + rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n");
}

function downloadJSON() {
  const plain = state.results.map(({ pages, ...rest }) => ({ ...rest, pages: pages.map(({ image, ...page }) => page) }));
  download("docvault-results.json", "application/json", JSON.stringify(plain, null, 2));
}

async function copyAll() {
  const text = state.results.flatMap((result) => result.text).join("\n");
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Not a secure context (a token-protected server on the network): the old way still works.
    const area = el("textarea", { class: "offscreen" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  status("copied " + text.split("\n").length + " line(s)");
}

// ---- search ------------------------------------------------------------------------------------

// The snippet is built from text nodes and <mark> elements cut at code-point offsets.
function highlighted(text, ranges) {
  const points = Array.from(text);
  const span = el("span", { class: "snippet" });
  let at = 0;
  const sorted = ranges.filter((r) => r.length === 2 && r[0] < r[1]).sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < at || start >= points.length) continue;
    if (start > at) span.append(document.createTextNode(points.slice(at, start).join("")));
    span.append(el("mark", { text: points.slice(start, Math.min(end, points.length)).join("") }));
    at = Math.min(end, points.length);
  }
  if (at < points.length) span.append(document.createTextNode(points.slice(at).join("")));
  return span;
}

async function search(query) {
  const section = $("search");
  section.hidden = false;
  section.scrollIntoView({ block: "start" });
  $("search-summary").textContent = "searching…";
  $("search-results").replaceChildren();
  const response = await fetch("/api/search?q=" + encodeURIComponent(query), { credentials: "same-origin" });
  if (!response.ok) {
    $("search-summary").textContent = await apiError(response);
    return;
  }
  const results = await response.json();
  const hits = results.documents.reduce((sum, doc) => sum + (doc.matching_lines ?? doc.hits.length), 0);
  $("search-summary").textContent = hits + " line(s) in " + results.documents.length + " document(s) for “" + results.query + "”"
    + (results.fuzzy ? " (no exact match; showing near matches)" : "");
  for (const doc of results.documents) {
    const list = el("ul", { class: "hits" });
    for (const hit of doc.hits) {
      const link = el("button", { type: "button", class: "hit", onclick: () => openDocument(doc.id, hit.page, hit.bbox) },
        el("span", { class: "where", text: "p. " + hit.page }),
        highlighted(hit.text, hit.highlights),
        el("span", { class: "confidence" + (hit.confidence < state.lowThreshold ? " low" : ""), text: percent(hit.confidence) }));
      list.append(el("li", {}, link));
    }
    $("search-results").append(el("li", { class: "search-document" }, el("h3", { text: fileName(doc.path), title: doc.path }), list));
  }
}

// ---- stored documents --------------------------------------------------------------------------

async function openDocument(id, pageNumber, box) {
  const response = await fetch("/api/documents/" + encodeURIComponent(id), { credentials: "same-origin" });
  if (!response.ok) {
    status(await apiError(response), true);
    return;
  }
  state.viewer = { document: await response.json(), page: pageNumber || 1, box: box || null };
  renderViewer();
  $("viewer").hidden = false;
  $("viewer").scrollIntoView({ block: "start" });
}

function renderViewer() {
  const { document: doc, page: number, box } = state.viewer;
  const page = doc.pages.find((p) => p.page === number) || doc.pages[0];
  $("viewer-path").textContent = fileName(doc.path);
  $("viewer-path").title = doc.path;
  $("viewer-page").textContent = page ? page.page + " / " + doc.pages.length : "no pages";
  $("viewer-prev").disabled = !page || page.page <= 1;
  $("viewer-next").disabled = !page || page.page >= doc.pages.length;
  const body = $("viewer-body");
  body.replaceChildren();
  if (!page) return;
  const imageURL = "/api/documents/" + encodeURIComponent(doc.id) + "/pages/" + page.page + ".png";
  body.append(pageBlock(page, imageURL, box));
  linkLinesAndBoxes(body);
  const hit = body.querySelector(".line.hit");
  if (hit) hit.scrollIntoView({ block: "nearest" });
}

function turnPage(step) {
  if (!state.viewer) return;
  state.viewer.page += step;
  state.viewer.box = null;
  renderViewer();
}

async function loadDocuments() {
  const response = await fetch("/api/documents", { credentials: "same-origin" });
  if (!response.ok) {
    $("documents").replaceChildren(el("li", { class: "error", text: await apiError(response) }));
    return;
  }
  const documents = await response.json();
  $("documents").replaceChildren(...documents.map((doc) =>
    el("li", {}, el("button", { type: "button", class: "document-link", onclick: () => openDocument(doc.id, 1, null),
      title: doc.path }, fileName(doc.path)), " " + doc.pages + " page(s), " + doc.lines + " line(s)")));
  if (documents.length === 0) $("documents").append(el("li", { text: "nothing stored yet" }));
}

// ---- wiring ------------------------------------------------------------------------------------

function setUp() {
  const drop = $("drop-zone");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    recogniseFiles(Array.from(event.dataTransfer.files));
  });
  $("file-input").addEventListener("change", (event) => {
    recogniseFiles(Array.from(event.target.files));
    event.target.value = "";
  });
  $("copy-all").addEventListener("click", copyAll);
  $("download-csv").addEventListener("click", downloadCSV);
  $("download-json").addEventListener("click", downloadJSON);
  $("low-threshold").addEventListener("change", (event) => {
    const value = Number(event.target.value);
    if (value >= 0 && value <= 1) state.lowThreshold = value;
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("search-input").value.trim();
    if (query) search(query).catch((error) => status(String(error), true));
  });
  $("viewer-prev").addEventListener("click", () => turnPage(-1));
  $("viewer-next").addEventListener("click", () => turnPage(1));
  $("viewer-close").addEventListener("click", () => { $("viewer").hidden = true; });
  $("archive-refresh").addEventListener("click", loadDocuments);
  loadDocuments().catch((error) => status(String(error), true));
}

document.addEventListener("DOMContentLoaded", setUp);
