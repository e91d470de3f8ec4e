// The hall screen: the meeting as the room sees it on the projector. It
// holds no controls and no state of its own: every draw reads LiveMeeting's
// snapshot, which reconnects and takes a new snapshot after a network cut or a
// server restart, so the screen recovers without anyone touching it.
//
// The presented document is shown by its page only ("Trang 14/30"): the
// screen's account may not be allowed to read its title.

import { LiveMeeting } from "./live-client.js";
import { followRecording } from "./live-recording.js";
import { el, t } from "./meeting-common.js";
import { tickClock } from "./floor-clock.js";
import { setupScreenVote } from "./screen-vote.js";

const TICK_MS = 250;
const NEXT_NAMES = 3;

const root = document.querySelector("[data-screen]");
const live = new LiveMeeting(root.dataset.meetingId, { device: "screen" });
followRecording(live);
const connection = root.querySelector("[data-connection]");
const speakerBox = root.querySelector("[data-speaker]");
const nextBox = root.querySelector("[data-next]");
const vote = setupScreenVote(root, live);
const clockWords = {
  left: (time) => time,
  running: (time) => time,
  up: () => t("live.screen.time_up"),
};

function drawItem(state) {
  const number = root.querySelector("[data-item-number]");
  const title = root.querySelector("[data-item-title]");
  const { status } = state.meeting;
  root.dataset.meetingStatus = status;
  const item = (state.agenda ?? []).find((entry) => entry.id === state.current_item_id);
  if (status === "ended" || status === "archived") {
    number.textContent = "";
    title.textContent = t("live.screen.ended");
  } else if (status !== "live") {
    number.textContent = "";
    title.textContent = t("live.screen.not_started");
  } else if (item) {
    number.textContent = t("live.screen.item", { number: item.number });
    title.textContent = item.title;
  } else {
    number.textContent = "";
    title.textContent = t("live.screen.no_item");
  }
}

function drawPresentation(state) {
  const shown = root.querySelector("[data-presenting]");
  const now = state.presentation;
  shown.hidden = !now;
  shown.textContent = now
    ? `${t("live.screen.presenting")} · ${t("live.screen.page", { page: now.page, pages: now.pages ?? "?" })}`
    : "";
}

function drawFloor(state) {
  const turn = state.speaker;
  root.dataset.speaking = String(Boolean(turn));
  speakerBox.replaceChildren(...(turn ? [
    el("p", { class: "screen__name", dataset: { speakerName: "" }, text: turn.name }),
    el("p", { class: "screen__from", text: [turn.unit, turn.room].filter(Boolean).join(" · ") }),
    el("p", {
      class: "screen__clock", role: "timer", "aria-label": t("live.screen.countdown"),
      dataset: {
        clock: "", deadline: turn.deadline ?? "", started: turn.started_at ?? "",
        limit: String(turn.limit_seconds ?? ""),
      },
    }),
    turn.deadline ? null : el("p", { class: "screen__no-limit", text: t("live.screen.no_limit") }),
  ].filter(Boolean) : [el("p", { class: "screen__none", text: t("live.screen.no_speaker") })]));
  const upcoming = (state.queue ?? []).slice(0, NEXT_NAMES);
  nextBox.hidden = upcoming.length === 0;
  root.querySelector("[data-queue]").replaceChildren(...upcoming.map((entry) => el("li", {},
    el("span", { class: "screen__next-name", text: entry.name }),
    entry.unit || entry.room
      ? el("span", { class: "screen__next-from", text: [entry.unit, entry.room].filter(Boolean).join(" · ") })
      : null)));
  tick();
}

function tick() {
  tickClock(speakerBox, live, clockWords);
}

const PARTS = {
  status: [drawItem, vote.render],
  item: [drawItem, vote.render],
  presentation: [drawPresentation],
  floor: [drawFloor],
  polls: [vote.render],
};

live.addEventListener("change", ({ detail }) => {
  const draws = detail.type === "snapshot"
    ? [drawItem, drawPresentation, drawFloor, vote.render] : PARTS[detail.type] ?? [];
  for (const draw of draws) draw(detail.state);
});

live.addEventListener("online", ({ detail }) => {
  connection.dataset.state = detail.online ? "online" : "offline";
  connection.querySelector("[data-connection-text]").textContent =
    t(detail.online ? "live.screen.online" : "live.screen.offline");
});

live.addEventListener("refused", ({ detail }) => {
  connection.dataset.state = "offline";
  connection.querySelector("[data-connection-text]").textContent = detail.message;
});

setInterval(() => {
  if (!live.state) return;
  tick();
  vote.tick();
}, TICK_MS);
