// The console's floor: who speaks now (with the countdown and "end the
// turn"), and the queue of requests: give the floor with the time limit of
// the field above, decline, and reorder by drag and drop or by the up and
// down buttons. A reorder sends every queued turn id in the new order; the
// list itself is only ever drawn from the server's answer (the `floor` event).

import * as wire from "./live-contract.js";
import { el, messenger, t } from "./meeting-common.js";
import { act, syncControls, timeOfDay } from "./console-common.js";
import { tickClock } from "./floor-clock.js";

export function setupFloor(section, live) {
  const speakerBox = section.querySelector("[data-speaker]");
  const queueList = section.querySelector("[data-queue]");
  const count = section.querySelector("[data-queue-count]");
  const limitField = section.querySelector("[data-limit]");
  const say = messenger(section);
  let focusAfter = null;   // [key, fallback key] to focus once the list is redrawn
  let dragged = null;

  function limitSeconds() {
    const minutes = Number(limitField.value);
    return Number.isFinite(minutes) && minutes > 0 ? Math.round(minutes * 60) : null;
  }

  function speaker(turn) {
    if (!turn) return [el("p", { class: "speaker__none", text: t("live.floor.no_speaker") })];
    return [
      el("p", { class: "eyebrow", text: t("live.floor.speaker") }),
      el("p", { class: "speaker__name", dataset: { speakerName: "" }, text: turn.name }),
      el("p", { class: "speaker__from", text: where(turn) }),
      el("p", {
        class: "speaker__clock", dataset: {
          clock: "", deadline: turn.deadline ?? "", started: turn.started_at ?? "",
          limit: String(turn.limit_seconds ?? ""),
        },
      }),
      el("button", {
        type: "button", class: "button button--danger", dataset: { act: "", key: "end-turn" },
        onclick: (event) => act(live, {
          button: event.currentTarget, say, okText: t("live.floor.turn_ended", { name: turn.name }),
        }, wire.END_TURN),
      }, t("live.floor.end_turn")),
    ];
  }

  function row(turn, index, queue) {
    const key = String(turn.id);
    const name = { name: turn.name };
    const move = (by) => (event) => {
      const order = queue.map((entry) => entry.id);
      order.splice(index, 1);
      order.splice(index + by, 0, turn.id);
      const here = by < 0 ? "up" : "down";
      const there = by < 0 ? "down" : "up";
      if (event.currentTarget === document.activeElement) focusAfter = [`${here}-${key}`, `${there}-${key}`];
      reorder(order, turn, index + by);
    };
    return el("li", {
      class: "turn", draggable: true, dataset: { turnId: key },
      "aria-label": `${t("live.floor.position", { position: index + 1 })}: ${turn.name}`,
    },
    el("span", { class: "turn__handle", "aria-hidden": "true", title: t("live.floor.drag_handle", name), text: "⠿" }),
    el("span", { class: "turn__position", "aria-hidden": "true", text: String(index + 1) }),
    el("div", { class: "turn__who" },
      el("p", { class: "turn__name", text: turn.name }),
      el("p", { class: "turn__from" }, where(turn),
        turn.requested_at ? ` · ${t("live.floor.requested_at", { time: timeOfDay(turn.requested_at) })}` : "")),
    el("div", { class: "turn__actions" },
      el("button", {
        type: "button", class: "button button--primary button--small",
        "aria-label": t("live.floor.give_floor_label", name), dataset: { act: "", key: `give-${key}` },
        onclick: (event) => {
          const limit = limitSeconds();
          const payload = limit ? { turn_id: turn.id, limit_seconds: limit } : { turn_id: turn.id };
          act(live, { button: event.currentTarget, say, okText: t("live.floor.given", name) },
            wire.GIVE_FLOOR, payload);
        },
      }, t("live.floor.give_floor")),
      el("button", {
        type: "button", class: "icon-button", "aria-label": t("live.floor.move_up_label", name),
        title: t("live.floor.move_up"), dataset: { act: "", key: `up-${key}`, off: String(index === 0) },
        onclick: move(-1),
      }, "↑"),
      el("button", {
        type: "button", class: "icon-button", "aria-label": t("live.floor.move_down_label", name),
        title: t("live.floor.move_down"),
        dataset: { act: "", key: `down-${key}`, off: String(index === queue.length - 1) },
        onclick: move(1),
      }, "↓"),
      el("button", {
        type: "button", class: "button button--danger button--small",
        "aria-label": t("live.floor.decline_label", name), dataset: { act: "", key: `decline-${key}` },
        onclick: (event) => act(live, {
          button: event.currentTarget, say, okText: t("live.floor.declined", name),
        }, wire.DECLINE_REQUEST, { turn_id: turn.id }),
      }, t("live.floor.decline"))));
  }

  function reorder(order, turn, index) {
    act(live, { say, okText: t("live.floor.moved", { name: turn.name, position: index + 1 }) },
      wire.REORDER_QUEUE, { turn_ids: order });
  }

  // --- drag and drop: the row dropped on goes before it (after it from below) ---
  const rowOf = (event) => event.target.closest?.(".turn");
  const clearMarks = () => {
    for (const marked of queueList.querySelectorAll(".drop-before, .drop-after, .dragging")) {
      marked.classList.remove("drop-before", "drop-after", "dragging");
    }
  };
  queueList.addEventListener("dragstart", (event) => {
    const turn = rowOf(event);
    if (!turn || !live.online) { event.preventDefault(); return; }
    dragged = Number(turn.dataset.turnId);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(dragged));
    turn.classList.add("dragging");
  });
  queueList.addEventListener("dragover", (event) => {
    const turn = rowOf(event);
    if (dragged === null || !turn || Number(turn.dataset.turnId) === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = turn.getBoundingClientRect();
    const before = event.clientY < box.top + box.height / 2;
    turn.classList.toggle("drop-before", before);
    turn.classList.toggle("drop-after", !before);
  });
  queueList.addEventListener("dragleave", (event) => rowOf(event)?.classList.remove("drop-before", "drop-after"));
  queueList.addEventListener("drop", (event) => {
    const target = rowOf(event);
    const id = dragged;
    const before = target?.classList.contains("drop-before");
    clearMarks();
    dragged = null;
    if (!target || id === null) return;
    event.preventDefault();
    const queue = live.state?.queue ?? [];
    const moving = queue.find((entry) => entry.id === id);
    const order = queue.map((entry) => entry.id).filter((other) => other !== id);
    let index = order.indexOf(Number(target.dataset.turnId));
    if (!moving || index < 0) return;
    if (!before) index += 1;
    order.splice(index, 0, id);
    reorder(order, moving, index);
  });
  queueList.addEventListener("dragend", () => { dragged = null; clearMarks(); });

  return {
    render(state) {
      // Keyboard users keep their place across redraws: the same control of the same
      // row, or, for a moved row at an end of the list, its other arrow.
      const active = section.contains(document.activeElement) ? document.activeElement.dataset.key : null;
      speakerBox.replaceChildren(...speaker(state.speaker));
      speakerBox.classList.toggle("speaker--on", Boolean(state.speaker));
      const queue = state.queue ?? [];
      count.textContent = queue.length ? t("live.floor.queue_count", { count: queue.length }) : "";
      queueList.replaceChildren(...(queue.length
        ? queue.map((turn, index) => row(turn, index, queue))
        : [el("li", { class: "empty", text: t("live.floor.queue_empty") })]));
      syncControls(section, live);
      const keys = focusAfter ?? (active ? [active] : []);
      focusAfter = null;
      for (const key of keys) {
        const target = section.querySelector(`[data-key="${CSS.escape(key)}"]`);
        if (target && !target.disabled) { target.focus(); break; }
      }
      this.tick();
    },
    tick() {
      tickClock(speakerBox, live, {
        left: (time) => t("live.floor.remaining", { time }),
        running: (time) => `${t("live.floor.speaking_for", { time })} · ${t("live.floor.no_limit")}`,
        up: () => t("live.floor.time_up"),
      });
    },
  };
}

/** "Sở Tài chính · Điểm cầu huyện Tân Lập": the unit, and the room for a remote speaker. */
export function where(turn) {
  return [turn.title, turn.unit, turn.room].filter(Boolean).join(" · ");
}
