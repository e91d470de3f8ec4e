// Niceties of the admin pages; each page works without them. No text of its own:
// what it says comes from data attributes rendered from the catalog.

/** A form with data-confirm asks first (deleting a unit or a room). */
function confirmations(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, { capture: true });
  }
}

/**
 * The unit form: only parents of a fitting kind can be chosen (a district
 * under the province, a commune under a district or the province...). The
 * server checks the same rule; this only saves a round trip.
 */
function parentPickers(root) {
  for (const form of root.querySelectorAll("form[data-allowed-parents]")) {
    const allowed = JSON.parse(form.dataset.allowedParents);
    const kind = form.querySelector("[data-kind-select]");
    const parent = form.querySelector("[data-parent-select]");
    if (!kind || !parent) continue;
    const update = () => {
      const fits = new Set(allowed[kind.value] ?? []);
      for (const option of parent.options) {
        option.disabled = option.value === "" ? fits.size > 0 : !fits.has(option.dataset.kind);
      }
      if (parent.selectedOptions[0]?.disabled) {
        const first = [...parent.options].find((option) => !option.disabled);
        if (first) parent.value = first.value;
      }
    };
    kind.addEventListener("change", update);
    update();
  }
}

/**
 * "Add a sub-unit" in the tree fills the add form (parent, a fitting kind) and
 * moves to it, instead of loading the page again with ?parent_id=.
 */
function addChildLinks(root) {
  const form = root.querySelector("#add-unit form[data-allowed-parents]");
  if (!form) return;
  const kind = form.querySelector("[data-kind-select]");
  const parent = form.querySelector("[data-parent-select]");
  const name = form.querySelector('input[name="name"]');
  for (const link of root.querySelectorAll("a[data-add-child]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      kind.value = link.dataset.childKind;
      kind.dispatchEvent(new Event("change"));
      parent.value = link.dataset.addChild;
      name.focus();
      name.scrollIntoView({ block: "center" });
    });
  }
}

/** The room form: the seats field's maximum follows the kind of room. */
function seatLimits(root) {
  for (const kind of root.querySelectorAll("[data-room-kind]")) {
    const seats = kind.form?.querySelector("[data-seats]");
    if (!seats) continue;
    const update = () => { seats.max = kind.selectedOptions[0]?.dataset.maxSeats ?? seats.max; };
    kind.addEventListener("change", update);
    update();
  }
}

/**
 * The people search refreshes its results while typing: it fetches the same
 * page the form would load and swaps the results in, so the markup has one
 * author (the server) and the address stays shareable.
 */
function liveSearch(root) {
  for (const form of root.querySelectorAll("form[data-live-search]")) {
    const target = document.querySelector(form.dataset.liveSearch);
    if (!target) continue;
    let timer = 0;
    let pending = null;
    const run = async () => {
      const params = new URLSearchParams(new FormData(form));
      const url = `${form.action}?${params}`;
      pending?.abort();
      pending = new AbortController();
      target.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(url, { signal: pending.signal, credentials: "same-origin",
                                            headers: { Accept: "text/html" } });
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector(form.dataset.liveSearch);
        if (fresh) {
          target.replaceChildren(...fresh.childNodes);
          history.replaceState(null, "", url);
        }
      } catch (error) {
        // A failed refresh leaves the results as they were; the Search button still works.
        if (error.name !== "AbortError") console.warn("search refresh failed", error);
      } finally {
        target.removeAttribute("aria-busy");
      }
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    };
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
  }
}

confirmations(document);
parentPickers(document);
addChildLinks(document);
seatLimits(document);
liveSearch(document);
