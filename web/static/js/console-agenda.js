// The console's agenda: every item with its state and timer, "go to this
// item", and the conclusion that marks an item done.
//
// The list is redrawn only when the agenda changes (an `item` or `status`
// event, a snapshot); what the chair is typing into a conclusion is kept in
// `drafts` across redraws, so another console moving the meeting on does not
// wipe it. Timers are written by `tickAgenda` once a second, without a redraw.

import { clock } from "./live-client.js";
import * as wire from "./live-contract.js";
import { el, messenger, rebuild, t } from "./meeting-common.js";
import { act, syncControls } from "./console-common.js";

export function setupAgenda(section, live) {
  const list = section.querySelector("[data-agenda]");
  const say = messenger(section);
  const drafts = new Map();   // item id → conclusion being typed
  const opened = new Map();   // item id → open or closed, where the chair chose otherwise

  function item(entry, state) {
    const current = entry.id === state.current_item_id;
    const key = String(entry.id);
    const label = { number: entry.number, title: entry.title };
    const fieldId = `conclusion-${entry.id}`;
    const text = drafts.get(entry.id) ?? entry.conclusion ?? "";
    const textarea = el("textarea", {
      id: fieldId, name: "conclusion", rows: 3, maxlength: 4000, class: "conclusion__text",
      "aria-describedby": `${fieldId}-hint`, dataset: { key: `text-${key}` },
      oninput: (event) => drafts.set(entry.id, event.target.value),
    });
    textarea.value = text;
    // The current item's form is open unless the chair closed it, the others closed.
    const byDefault = current || drafts.has(entry.id);
    const details = el("details", {
      class: "conclusion", open: opened.get(entry.id) ?? byDefault,
      ontoggle: (event) => {
        if (event.target.open === byDefault) opened.delete(entry.id);
        else opened.set(entry.id, event.target.open);
      },
    },
    el("summary", { dataset: { key: `summary-${key}` }, text: t("live.console.conclusion") }),
    el("form", {
      class: "conclusion__form",
      onsubmit: async (event) => {
        event.preventDefault();
        const button = event.target.querySelector("button");
        const ok = await act(live, { button, say, okText: t("live.console.concluded", label) },
          wire.CONCLUDE_ITEM, { item_id: entry.id, conclusion: textarea.value.trim() });
        if (ok) drafts.delete(entry.id);
      },
    },
    el("label", { for: fieldId, text: t("live.console.conclusion_label", label) }),
    textarea,
    el("p", { class: "help", id: `${fieldId}-hint`, text: t("live.console.conclusion_hint") }),
    el("button", { type: "submit", class: "button button--secondary", dataset: { act: "", key: `conclude-${key}` } },
      t("live.console.conclude"))));

    return el("li", {
      class: `live-item live-item--${entry.status}${current ? " live-item--current" : ""}`,
      style: `--depth: ${entry.depth ?? 0}`,
      "aria-current": current ? "step" : null,
      dataset: { itemId: key },
    },
    el("div", { class: "live-item__row" },
      el("span", { class: "live-item__number", "aria-hidden": "true", text: entry.number }),
      el("div", { class: "live-item__body" },
        el("h3", { class: "live-item__title" },
          el("span", { class: "visually-hidden", text: `${entry.number}. ` }), entry.title),
        el("p", { class: "live-item__meta" },
          el("span", { class: `item-state item-state--${entry.status}`, text: t(`live.console.item_${entry.status}`) }),
          entry.presenter ? el("span", { text: t("live.console.presenter", { name: entry.presenter }) }) : null,
          el("span", { class: "timer", dataset: timerData(entry) },
            el("span", { class: "visually-hidden", text: `${t("live.console.timer_label")}: ` }),
            el("span", { dataset: { timerText: "" } }))),
        entry.conclusion ? el("p", { class: "live-item__conclusion" },
          el("strong", { text: `${t("live.console.conclusion")}: ` }), entry.conclusion) : null),
      el("button", {
        type: "button", class: "button button--secondary button--small",
        "aria-label": t("live.console.go_to_label", label),
        dataset: { act: "", key: `go-${key}`, off: String(current && entry.status === "in_progress") },
        onclick: (event) => act(live, {
          button: event.currentTarget, say, okText: t("live.console.went_to", label),
        }, wire.GO_TO_ITEM, { item_id: entry.id }),
      }, t("live.console.go_to"))),
    details);
  }

  return {
    render(state) {
      const entries = state.agenda ?? [];
      rebuild(list, entries.length
        ? entries.map((entry) => item(entry, state))
        : [el("li", { class: "empty", text: t("live.console.agenda_empty") })]);
      syncControls(list, live);
      tickAgenda(list, live);
    },
    tick() {
      tickAgenda(list, live);
    },
  };
}

function timerData(entry) {
  return {
    timer: "",
    started: entry.started_at ?? "",
    ended: entry.ended_at ?? "",
    planned: String((entry.planned_minutes ?? 0) * 60),
  };
}

/** Elapsed against planned time for every item that has a timer. */
function tickAgenda(list, live) {
  for (const timer of list.querySelectorAll("[data-timer]")) {
    const { started, ended, planned } = timer.dataset;
    const until = ended ? Date.parse(ended) : live.now();
    const elapsed = started ? Math.max(0, (until - Date.parse(started)) / 1000) : 0;
    const plannedSeconds = Number(planned);
    const over = plannedSeconds > 0 && elapsed > plannedSeconds;
    const text = plannedSeconds > 0
      ? t("live.console.timer", { elapsed: clock(elapsed), planned: clock(plannedSeconds) })
      : t("live.console.timer_unplanned", { elapsed: clock(elapsed) });
    const shown = over ? `${text} · ${t("live.console.over_time")}` : text;
    const target = timer.querySelector("[data-timer-text]");
    if (target.textContent !== shown) target.textContent = shown;
    timer.classList.toggle("timer--over", over);
  }
}
