// Progressive enhancement shared by every page. The pages work without it:
// forms post as plain HTML, and nothing here carries user-facing text of its
// own (labels come from data attributes rendered from the catalog).

/** The session's CSRF token, for modules that post with fetch(). */
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/**
 * A form with data-busy-label submits once: its submit button is disabled
 * and shows the label while the browser waits for the answer, so a second
 * tap on a slow network does not post again.
 */
function guardSubmits(root) {
  for (const form of root.querySelectorAll("form[data-busy-label]")) {
    const button = form.querySelector('button[type="submit"], button:not([type])');
    if (!button) continue;
    const idle = button.textContent;
    form.addEventListener("submit", (event) => {
      if (form.dataset.busy === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.busy = "true";
      button.textContent = form.dataset.busyLabel;
      button.setAttribute("aria-busy", "true");
      // Disabled after this turn, so the browser has already taken the submission.
      setTimeout(() => { button.disabled = true; }, 0);
    });
    // Coming back with the Back button restores the page from the cache: make it usable again.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      delete form.dataset.busy;
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = idle;
    });
  }
}

guardSubmits(document);
