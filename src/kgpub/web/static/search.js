// Suggestions for the search box: as the reader types, names found by /search.json appear in
// a listbox under it (the ARIA combobox pattern): arrow keys move through them, Enter or a
// click opens the chosen one's page, Escape closes the list. Without a chosen suggestion,
// Enter submits the form to /search as it does without JavaScript. Values from the data only
// reach the page as text (textContent), so markup in a name is shown, never run.
"use strict";

(() => {
  const DELAY_MS = 120; // waits for a pause in typing, so each keystroke is not a request
  const LIMIT = 8;

  for (const input of document.querySelectorAll("input[data-suggest]")) attach(input);

  function attach(input) {
    const listbox = document.createElement("ul");
    listbox.id = `${input.id}-suggestions`;
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "Suggestions");
    listbox.hidden = true;
    input.after(listbox);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("aria-expanded", "false");

    let hits = [];
    let active = -1;
    let timer = 0;
    let pending = null;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(index) {
      const target = new URL(hits[index].url, window.location.href);
      if (target.origin !== window.location.origin) return; // pages of this server only
      window.location.assign(target.href);
    }

    function setActive(index) {
      const options = listbox.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[active].setAttribute("aria-selected", "true");
      options[active].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    function option(hit, index) {
      const item = document.createElement("li");
      item.id = `${listbox.id}-${index}`;
      item.className = "suggestion";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const label = document.createElement("span");
      label.className = "suggestion-label";
      label.textContent = hit.label;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      item.append(label, " ", kind);
      if (hit.matched !== hit.label) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = hit.language ? `${hit.matched} (${hit.language})` : hit.matched;
        item.append(" ", matched);
      }
      // mousedown would blur the input and close the list before the click lands
      item.addEventListener("mousedown", (event) => event.preventDefault());
      item.addEventListener("click", () => choose(index));
      return item;
    }

    function show(found) {
      hits = found;
      active = -1;
      listbox.replaceChildren(...hits.map(option));
      if (hits.length === 0) {
        close();
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    async function suggest(text) {
      if (pending) pending.abort();
      pending = new AbortController();
      const address = new URL(input.dataset.suggest, window.location.href);
      const parameters = new URLSearchParams({ q: text, limit: String(LIMIT) });
      if (input.dataset.lang) parameters.set("lang", input.dataset.lang);
      address.search = parameters.toString();
      try {
        const response = await fetch(address, {
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
        if (!response.ok) {
          close(); // the page's own form still works; its answer will say what is wrong
          return;
        }
        const answer = await response.json();
        if (input.value.trim() === text) show(answer.hits);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      const text = input.value.trim();
      if (!text) {
        if (pending) pending.abort();
        show([]);
        return;
      }
      timer = window.setTimeout(() => suggest(text), DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (hits.length === 0) return;
        event.preventDefault();
        if (!open) {
          listbox.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        const from = active >= 0 ? active : step > 0 ? -1 : 0; // Up from the box: the last
        setActive((from + step + hits.length) % hits.length);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
    input.addEventListener("focus", () => {
      if (hits.length > 0 && input.value.trim()) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
  }
})();
