// The query page: runs the editor's query against /sparql and shows the answer.
// Values from the data only ever reach the page as text (textContent, createTextNode), so
// markup in a literal is shown, never run. No libraries and no build step.
"use strict";

(() => {
  document.documentElement.classList.add("js");

  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const gutter = document.getElementById("gutter");
  const formatSelect = document.getElementById("format");
  const statusLine = document.getElementById("status");
  const truncatedNote = document.getElementById("truncated");
  const errorBox = document.getElementById("error");
  const downloads = document.getElementById("downloads");
  const results = document.getElementById("results");
  const share = document.getElementById("share");
  const endpoint = form.dataset.endpoint;
  const baseIri = form.dataset.baseIri;
  const resultFormats = form.dataset.resultDownloads.split(" ");
  const graphFormats = form.dataset.graphDownloads.split(" ");
  const prefixLines = document.getElementById("insert-prefixes").dataset.prefixes;
  const prefixes = parsePrefixes(prefixLines);
  const SOLUTIONS = "application/sparql-results+json";

  // --- the editor -------------------------------------------------------------------------

  function updateGutter() {
    const lines = editor.value.split("\n").length;
    const numbers = [];
    for (let line = 1; line <= lines; line += 1) numbers.push(line);
    gutter.textContent = numbers.join("\n");
    gutter.scrollTop = editor.scrollTop;
  }

  function queryChanged() {
    updateGutter();
    showDownloads(editor.value);
    const link = new URL(window.location.href);
    link.search = new URLSearchParams({ query: editor.value }).toString();
    share.href = link.pathname + link.search;
  }

  // Adds the PREFIX lines the query does not declare yet, above it.
  function insertPrefixes() {
    const declared = new Set();
    for (const match of editor.value.matchAll(/PREFIX\s+([\w.-]*):/gi)) declared.add(match[1]);
    const missing = prefixLines
      .split("\n")
      .filter((line) => line && !declared.has(line.split(/\s+/)[1].slice(0, -1)));
    editor.value = missing.map((line) => line + "\n").join("") + editor.value;
    queryChanged();
    editor.focus();
  }

  // --- which form the query has, for the download links ----------------------------------

  // The first of SELECT, ASK, CONSTRUCT or DESCRIBE outside IRIs, strings and comments.
  function queryForm(text) {
    const bare = text
      .replace(/<[^<>"{}|^`\\\s]*>/g, " ")
      .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/#.*$/gm, " ");
    const match = bare.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return match ? match[1].toLowerCase() : null;
  }

  function showDownloads(text) {
    downloads.replaceChildren();
    const kind = queryForm(text);
    if (!text.trim() || !kind) {
      downloads.hidden = true;
      return;
    }
    const names = kind === "select" || kind === "ask" ? resultFormats : graphFormats;
    downloads.append("Download this query's answer: ");
    names.forEach((name, index) => {
      if (index > 0) downloads.append(" · ");
      const link = document.createElement("a");
      const params = new URLSearchParams({ query: text, format: name });
      link.href = `${endpoint}?${params}`;
      link.textContent = name;
      link.className = "download";
      downloads.append(link);
    });
    downloads.hidden = false;
  }

  // --- running ----------------------------------------------------------------------------

  async function run() {
    const text = editor.value;
    clearAnswer();
    statusLine.textContent = "Running…";
    results.classList.add("busy");
    const started = performance.now();
    let response;
    let body;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: { Accept: `${SOLUTIONS}, text/turtle;q=0.9` },
        body: new URLSearchParams({ query: text }),
      });
      body = await response.text();
    } catch (problem) {
      showError(`The server could not be reached: ${problem.message}`);
      statusLine.textContent = "";
      return;
    } finally {
      results.classList.remove("busy");
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      statusLine.textContent = `Error ${response.status} after ${seconds} s.`;
      showError(errorMessage(body));
      return;
    }
    const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    const count = response.headers.get("X-KGPub-Row-Count");
    if (type === SOLUTIONS) {
      const answer = JSON.parse(body);
      if ("boolean" in answer) {
        showAsk(answer.boolean);
        statusLine.textContent = `ASK answered in ${seconds} s.`;
      } else {
        showTable(answer);
        const rows = answer.results.bindings.length;
        statusLine.textContent = `${rows} row${rows === 1 ? "" : "s"} in ${seconds} s.`;
      }
    } else {
      const pre = document.createElement("pre");
      pre.textContent = body;
      results.append(pre);
      const triples = count === null ? "" : `${count} triple${count === "1" ? "" : "s"} `;
      statusLine.textContent = `${triples}(${type}) in ${seconds} s.`;
    }
    if (response.headers.get("X-KGPub-Truncated") === "true") {
      const limit = response.headers.get("X-KGPub-Row-Limit");
      truncatedNote.textContent =
        `Truncated: only the first ${limit} rows are shown; the answer was cut at this ` +
        "server's row limit (max_rows). Narrow the query (LIMIT, filters) to see the rest.";
      truncatedNote.hidden = false;
    }
  }

  function clearAnswer() {
    results.replaceChildren();
    errorBox.hidden = true;
    errorBox.textContent = "";
    truncatedNote.hidden = true;
    truncatedNote.textContent = "";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // The endpoint answers errors in plain text; other surfaces may answer {"error": ...}.
  function errorMessage(body) {
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed.error === "string") return parsed.error;
    } catch (notJson) {
      // plain text: shown as it is
    }
    return body.trim() || "The server gave no message.";
  }

  // --- showing answers --------------------------------------------------------------------

  function showAsk(value) {
    const answer = document.createElement("p");
    answer.className = "ask";
    answer.textContent = value ? "true" : "false";
    results.append(answer);
  }

  function showTable(answer) {
    const columns = answer.head.vars || [];
    const table = document.createElement("table");
    table.id = "result-table";
    const headRow = table.createTHead().insertRow();
    for (const column of columns) {
      const cell = document.createElement("th");
      cell.textContent = column;
      headRow.append(cell);
    }
    const tbody = table.createTBody();
    for (const binding of answer.results.bindings) {
      const row = tbody.insertRow();
      for (const column of columns) row.insertCell().append(termNode(binding[column]));
    }
    results.append(table);
  }

  // A DOM node for one RDF term of SPARQL JSON results.
  function termNode(term) {
    if (term === undefined) return document.createTextNode("");
    if (term.type === "uri") return iriNode(term.value);
    if (term.type === "bnode") {
      const span = document.createElement("span");
      span.className = "bnode";
      span.textContent = `_:${term.value}`;
      return span;
    }
    if (term.type === "literal" || term.type === "typed-literal") {
      const fragment = document.createDocumentFragment();
      fragment.append(document.createTextNode(term.value));
      const language = term["xml:lang"];
      if (language) fragment.append(subtle("lang", `@${language}`));
      else if (term.datatype) fragment.append(subtle("datatype", `^^${shortIri(term.datatype)}`));
      return fragment;
    }
    return document.createTextNode(JSON.stringify(term)); // quoted triples (RDF-star)
  }

  // IRIs of this dataset link to themselves (their pages live there); others link out. Only
  // http(s) IRIs become links: a javascript: IRI in the data stays text.
  function iriNode(iri) {
    if (!/^https?:\/\//i.test(iri)) return document.createTextNode(iri);
    const link = document.createElement("a");
    link.href = iri;
    link.textContent = shortIri(iri);
    link.title = iri;
    if (!iri.startsWith(baseIri)) {
      link.className = "external";
      link.rel = "external noopener noreferrer";
    }
    return link;
  }

  function subtle(kind, text) {
    const span = document.createElement("span");
    span.className = kind;
    span.textContent = text;
    return span;
  }

  function shortIri(iri) {
    for (const [name, namespace] of prefixes) {
      const local = iri.slice(namespace.length);
      if (iri.startsWith(namespace) && /^[\w.-]*$/.test(local)) return `${name}:${local}`;
    }
    return iri;
  }

  function parsePrefixes(lines) {
    const found = [];
    for (const match of lines.matchAll(/^PREFIX\s+([\w.-]*):\s*<([^>]*)>/gm)) {
      found.push([match[1], match[2]]);
    }
    return found.sort((a, b) => b[1].length - a[1].length); // the longest namespace wins
  }

  // --- wiring -----------------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    if (formatSelect.value) return; // a chosen format: let the browser show or save it
    event.preventDefault();
    run();
  });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  editor.addEventListener("input", queryChanged);
  editor.addEventListener("scroll", () => {
    gutter.scrollTop = editor.scrollTop;
  });
  document.getElementById("insert-prefixes").addEventListener("click", insertPrefixes);
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      editor.value = button.dataset.sparql;
      queryChanged();
      run();
    });
  }

  queryChanged();
  if (form.dataset.runNow === "true") run();
})();
