// The vote on the hall screen: while a poll is open, its title, "Đang biểu
// quyết" and the countdown (the screen is not in the console's room, so it
// never learns how many have voted, and the room need not know before the
// result); once published, the result with its bars in large type. The result
// stays while the meeting is on the item it decided (or until another poll
// opens); the speaker's panel comes back after.

import { el, t } from "./meeting-common.js";
import { openPolls, pollCountdown, pollsOf, resultView, secrecyLabel } from "./poll-result.js";

export function setupScreenVote(root, live) {
  const box = root.querySelector("[data-poll]");

  function current(state) {
    const running = openPolls(state)[0];
    if (running) return running;
    const polls = pollsOf(state);
    const closed = polls.find((poll) => poll.status === "closed");
    if (closed) return closed;
    const published = [...polls].filter((poll) => poll.status === "published")
      .sort((a, b) => (b.published_at ?? "").localeCompare(a.published_at ?? ""))[0];
    if (published && (published.agenda_item_id === null || published.agenda_item_id === state.current_item_id)) {
      return published;
    }
    return null;
  }

  function render(state) {
    const poll = state?.meeting?.status === "live" ? current(state) : null;
    root.dataset.voting = poll ? "on" : "off";
    box.hidden = !poll;
    if (!poll) { box.replaceChildren(); return; }
    box.dataset.pollId = String(poll.id);
    box.dataset.status = poll.status;
    const head = [
      el("p", { class: "screen__eyebrow", text: `${t("live.vote.title")} · ${secrecyLabel(poll)}` }),
      el("h2", { class: "screen__poll-title", id: "screen-poll-title", text: poll.title }),
    ];
    if (poll.status === "open") {
      box.replaceChildren(...head,
        el("p", { class: "screen__poll-state", dataset: { pollState: "" }, text: t("live.vote.voting_now") }),
        el("p", { class: "screen__poll-clock", role: "timer", dataset: { pollClock: "" },
          text: pollCountdown(live, poll) }));
    } else if (poll.status === "closed") {
      box.replaceChildren(...head,
        el("p", { class: "screen__poll-state", dataset: { pollState: "" }, text: t("live.vote.counting") }));
    } else {
      box.replaceChildren(...head, resultView(poll, { names: false }));
    }
  }

  function tick() {
    const clockNode = box.querySelector("[data-poll-clock]");
    if (!clockNode) return;
    const poll = (live.state?.polls ?? []).find((entry) => entry.id === Number(box.dataset.pollId));
    const text = poll ? pollCountdown(live, poll) : "";
    if (clockNode.textContent !== text) clockNode.textContent = text;
  }

  return { render, tick };
}
