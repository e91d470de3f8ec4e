// The ballot on the delegate's tablet (docs/voting.md): it opens over the
// reader the moment a poll opens, and the result takes its place once the
// chair publishes it.
//
// A ballot goes through choose → confirm → sent. Its ballot_id (a UUID made
// once) is kept, in memory and in localStorage, until the server answers; a
// retry after a lost answer sends the same id again, so the server counts it
// once whatever happens to the network. Voting needs the connection: without
// it the ballot says so and cannot be sent; nothing is queued offline, since a
// vote counts only while the poll is open. Who may vote is the server's call:
// its refusal ("not checked in", "no voting right") is shown as it says it.

import * as wire from "./live-contract.js";
import { el, rebuild, t } from "./meeting-common.js";
import { openPolls, optionLabel, pollCountdown, pollsOf, resultView, secrecyLabel } from "./poll-result.js";

const TICK_MS = 500;
const NO_BALLOT_ROLES = new Set(["guest", "observer"]);

/** A v4 UUID, also where crypto.randomUUID is missing (a page served over plain HTTP). */
export function ballotId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function setupBallot(root, live, { votingRight = () => null } = {}) {
  const dialog = root.querySelector("[data-ballot]");
  const body = dialog.querySelector("[data-ballot-body]");
  const bar = root.querySelector("[data-poll-bar]");
  const PENDING_KEY = `phonghop.ballots.${live.meetingId}`;

  const voted = new Set();        // polls this tablet has voted in since it loaded
  const choices = new Map();      // poll id → option ids ticked
  const stages = new Map();       // poll id → choose | confirm | sending | retry | done | refused
  const answers = new Map();      // poll id → the server's acknowledgement
  const notes = new Map();        // poll id → {text, alert} to show in the ballot
  const dismissed = new Set();    // polls the delegate put aside ("later") or whose result they closed
  const lastStatus = new Map();   // poll id → status last drawn, to see a poll being published
  const pending = loadPending();  // poll id → {ballot_id, option_ids, sent}
  let shown = null;               // {pollId, mode: "ballot" | "result"} while the dialog is open

  function loadPending() {
    try {
      return new Map(Object.entries(JSON.parse(localStorage.getItem(PENDING_KEY) ?? "{}"))
        .map(([id, entry]) => [Number(id), entry]));
    } catch {
      return new Map();
    }
  }

  function savePending() {
    try {
      localStorage.setItem(PENDING_KEY, JSON.stringify(Object.fromEntries(pending)));
    } catch {
      // Without storage the id still lives in memory until the page is closed.
    }
  }

  function poll(id) {
    return (live.state?.polls ?? []).find((entry) => entry.id === id) ?? null;
  }

  function mayVote() {
    const me = live.state?.me;
    if (!me?.participant_id || NO_BALLOT_ROLES.has(me.role)) return false;
    const right = me.voting_right ?? votingRight();
    return right !== false;
  }

  function hasVoted(id) {
    return voted.has(id) || (live.state?.me?.voted ?? []).includes(id);
  }

  function stageOf(entry) {
    const stage = stages.get(entry.id);
    if (stage) return stage;
    if (pending.get(entry.id)?.sent) return "retry";
    return hasVoted(entry.id) ? "done" : "choose";
  }

  /** The poll whose ballot should be on screen now: the oldest open one not yet answered. */
  function waiting() {
    if (!mayVote()) return null;
    return openPolls(live.state).find((entry) => !hasVoted(entry.id) && !dismissed.has(entry.id)
      && stages.get(entry.id) !== "refused") ?? null;
  }

  // --- the dialog -----------------------------------------------------------------------

  function open(pollId, mode) {
    shown = { pollId, mode };
    dialog.dataset.mode = mode;
    dialog.dataset.pollId = String(pollId);
    draw();
    if (!dialog.open) dialog.showModal();
  }

  function close() {
    shown = null;
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("cancel", (event) => {
    // Escape while a ballot is on its way would hide the answer; wait for it.
    if (shown && stages.get(shown.pollId) === "sending") event.preventDefault();
  });
  dialog.addEventListener("close", () => {
    if (shown) dismissed.add(shown.pollId);
    shown = null;
    renderBar();
  });

  function header(entry, eyebrow) {
    return el("header", { class: "ballot__head" },
      el("p", { class: "ballot__eyebrow" },
        el("span", { text: eyebrow }),
        el("span", { class: `tag${entry.secret ? " tag--secret" : ""}`, dataset: { secrecy: "" },
          text: secrecyLabel(entry) })),
      el("h2", { class: "ballot__title", id: "ballot-title", text: entry.title }),
      el("p", { class: "ballot__countdown", role: "timer", "aria-live": "off",
        dataset: { pollCountdown: String(entry.id) }, text: pollCountdown(live, entry) }));
  }

  function chosenWords(entry, ids) {
    const byId = new Map(entry.options.map((option) => [option.id, option]));
    const labels = ids.map((id) => optionLabel(byId.get(id))).filter(Boolean);
    return labels.length ? labels.join(", ") : t("live.vote.blank");
  }

  function optionsField(entry) {
    const picked = choices.get(entry.id) ?? [];
    const many = entry.kind === "election";
    const max = many ? entry.max_selections : 1;
    const legend = many ? t("live.vote.pick_up_to", { max }) : t("live.vote.pick_single");
    return el("fieldset", { class: "ballot__options", dataset: { kind: entry.kind } },
      el("legend", { text: legend }),
      entry.options.map((option) => {
        const checked = picked.includes(option.id);
        return el("label", { class: "ballot__option", dataset: { role: option.role } },
          el("input", {
            type: many ? "checkbox" : "radio", name: `poll-${entry.id}`, value: String(option.id),
            checked, dataset: { key: `option-${option.id}` },
            disabled: many && !checked && picked.length >= max,
            onchange: (event) => {
              const id = option.id;
              let next = many ? picked.filter((other) => other !== id) : [];
              if (event.currentTarget.checked) next = [...next, id];
              choices.set(entry.id, next);
              notes.delete(entry.id);
              draw();
            },
          }),
          el("span", { text: optionLabel(option) }));
      }),
      many ? el("p", { class: "ballot__counter", role: "status", dataset: { counter: "" },
        text: t("live.vote.counter", { count: picked.length, max }) }) : null);
  }

  function button(text, key, onclick, { primary = false, needsNetwork = false, disabled = false } = {}) {
    return el("button", {
      type: "button", class: `button ${primary ? "button--primary" : "button--quiet"} ballot__button`,
      dataset: { key }, disabled: disabled || (needsNetwork && !live.online), onclick,
    }, text);
  }

  function noteLine(entry) {
    const note = notes.get(entry.id);
    if (!note) return null;
    return el("p", { class: `notice ${note.alert ? "notice--error" : "notice--info"}`,
      role: note.alert ? "alert" : "status", dataset: { ballotNote: "" }, text: note.text });
  }

  function ballotBody(entry) {
    const stage = stageOf(entry);
    const picked = choices.get(entry.id) ?? [];
    const parts = [header(entry, t("live.vote.title"))];
    if (!live.online && stage !== "done") {
      parts.push(el("p", { class: "notice notice--error", role: "alert", dataset: { ballotOffline: "" },
        text: t("live.vote.offline") }));
    }
    if (stage === "choose") {
      parts.push(optionsField(entry), noteLine(entry),
        el("div", { class: "dialog__buttons" },
          button(t("live.vote.later"), "later", () => close()),
          button(t("live.vote.next"), "next", () => { stages.set(entry.id, "confirm"); notes.delete(entry.id); draw(); },
            { primary: true, needsNetwork: true, disabled: entry.kind !== "election" && !picked.length })));
    } else if (stage === "confirm") {
      parts.push(
        el("p", { class: "ballot__confirm", dataset: { confirm: "" } },
          t("live.vote.confirm", { choice: chosenWords(entry, picked) })),
        el("p", { class: "help", text: entry.allow_change ? t("live.vote.may_change") : t("live.vote.final") }),
        noteLine(entry),
        el("div", { class: "dialog__buttons" },
          button(t("live.vote.back"), "back", () => { stages.set(entry.id, "choose"); draw(); }),
          button(t("live.vote.cast"), "cast", () => cast(entry), { primary: true, needsNetwork: true })));
    } else if (stage === "sending") {
      parts.push(el("p", { class: "ballot__sending", role: "status", text: t("live.vote.sending") }));
    } else if (stage === "retry") {
      const entryPending = pending.get(entry.id);
      parts.push(
        el("p", { class: "notice notice--error", role: "alert", text: t("live.vote.no_answer") }),
        entryPending ? el("p", { class: "ballot__confirm",
          text: t("live.vote.confirm", { choice: chosenWords(entry, entryPending.option_ids) }) }) : null,
        el("div", { class: "dialog__buttons" },
          button(t("live.vote.retry"), "retry", () => cast(entry), { primary: true, needsNetwork: true })));
    } else if (stage === "done") {
      const answer = answers.get(entry.id);
      parts.push(
        el("p", { class: "ballot__done", role: "status", dataset: { ballotDone: "" } },
          answer?.changed ? t("live.vote.changed") : t("live.vote.recorded")),
        answer?.option_ids ? el("p", { class: "ballot__confirm",
          text: t("live.vote.you_chose", { choice: chosenWords(entry, answer.option_ids) }) }) : null,
        entry.secret ? el("p", { class: "help", text: t("live.vote.secret_note") }) : null,
        noteLine(entry),
        el("div", { class: "dialog__buttons" },
          entry.allow_change && entry.status === "open"
            ? button(t("live.vote.change"), "change", () => {
              stages.set(entry.id, "choose");
              choices.set(entry.id, answer?.option_ids ?? []);
              draw();
            }, { needsNetwork: true }) : null,
          button(t("live.vote.close"), "close", () => close(), { primary: true })));
    } else {
      parts.push(noteLine(entry),
        el("div", { class: "dialog__buttons" }, button(t("live.vote.close"), "close", () => close(), { primary: true })));
    }
    return parts;
  }

  function resultBody(entry) {
    return [
      header(entry, t("live.vote.result_title")),
      resultView(entry),
      el("div", { class: "dialog__buttons" }, button(t("live.vote.close"), "close", () => close(), { primary: true })),
    ];
  }

  function draw() {
    if (!shown) return;
    const entry = poll(shown.pollId);
    if (!entry) { close(); return; }
    rebuild(body, (shown.mode === "result" ? resultBody(entry) : ballotBody(entry)).filter(Boolean));
  }

  // --- sending ------------------------------------------------------------------------

  async function cast(entry) {
    let ballot = pending.get(entry.id);
    if (!ballot) {
      ballot = { ballot_id: ballotId(), option_ids: [...(choices.get(entry.id) ?? [])], sent: false };
      pending.set(entry.id, ballot);
    }
    ballot.sent = true;
    savePending();
    stages.set(entry.id, "sending");
    notes.delete(entry.id);
    draw();
    try {
      const answer = await live.act(wire.CAST_BALLOT, {
        poll_id: entry.id, ballot_id: ballot.ballot_id, option_ids: ballot.option_ids,
      });
      pending.delete(entry.id);
      voted.add(entry.id);
      answers.set(entry.id, answer);
      stages.set(entry.id, "done");
    } catch (refusal) {
      const code = refusal?.code;
      if (code === "timeout" || code === "offline") {
        // The ballot may have arrived: only the same id, sent again, is safe.
        stages.set(entry.id, "retry");
      } else {
        pending.delete(entry.id);
        const text = refusal?.message || t("meeting_pages.network_error");
        notes.set(entry.id, { text, alert: true });
        if (code === "already_voted") {
          voted.add(entry.id);
          stages.set(entry.id, "done");
        } else if (code === "invalid_choice") {
          stages.set(entry.id, "choose");
        } else {
          stages.set(entry.id, "refused");
        }
      }
    } finally {
      savePending();
      if (shown?.pollId === entry.id) draw();
      else if (stages.get(entry.id) === "refused" || stages.get(entry.id) === "retry") open(entry.id, "ballot");
      renderBar();
    }
  }

  // --- the line in the status bar ------------------------------------------------------

  function renderBar() {
    const polls = pollsOf(live.state);
    const running = openPolls(live.state)[0] ?? null;
    const latest = polls.find((entry) => entry.status === "published") ?? null;
    const closed = polls.find((entry) => entry.status === "closed") ?? null;
    let parts = [];
    if (running) {
      const answerable = mayVote() && !hasVoted(running.id);
      parts = [
        el("span", { class: "poll-bar__text", text: t("live.vote.running", { title: running.title }) }),
        el("span", { class: "poll-bar__countdown", dataset: { pollCountdown: String(running.id) },
          text: pollCountdown(live, running) }),
        answerable || mayVote()
          ? el("button", { type: "button", class: "button button--primary poll-bar__button", dataset: { key: "open-ballot" },
            onclick: () => { dismissed.delete(running.id); open(running.id, "ballot"); } },
          hasVoted(running.id) ? t("live.vote.show_ballot") : t("live.vote.vote_now"))
          : null,
      ];
    } else if (closed) {
      parts = [el("span", { class: "poll-bar__text", text: t("live.vote.awaiting", { title: closed.title }) })];
    } else if (latest) {
      parts = [el("button", { type: "button", class: "button button--quiet poll-bar__button", dataset: { key: "open-result" },
        onclick: () => open(latest.id, "result") }, t("live.vote.show_result"))];
    }
    bar.hidden = parts.length === 0;
    rebuild(bar, parts.filter(Boolean));
  }

  // --- following the state -----------------------------------------------------------------

  function render() {
    const polls = live.state?.polls ?? [];
    let published = null;
    for (const entry of polls) {
      const before = lastStatus.get(entry.id);
      if (entry.status === "published" && before && before !== "published") published = entry;
      lastStatus.set(entry.id, entry.status);
      // A snapshot after a lost answer says the ballot arrived: nothing is left to send
      // (unless it was a change of vote, which the first ballot does not prove).
      const arrived = (live.state?.me?.voted ?? []).includes(entry.id);
      if (arrived && stageOf(entry) === "retry" && !entry.allow_change) {
        pending.delete(entry.id);
        savePending();
        voted.add(entry.id);
        stages.set(entry.id, "done");
      }
    }
    if (shown?.mode === "ballot") {
      const entry = poll(shown.pollId);
      // The ballot closes with the poll, unless its answer is still on the way.
      if (!entry || (entry.status !== "open" && stages.get(entry.id) !== "sending")) close();
      else draw();
    } else if (shown?.mode === "result") {
      draw();
    }
    if (published && !dismissed.has(published.id)) {
      open(published.id, "result");
    } else if (!shown) {
      const next = waiting();
      if (next) open(next.id, "ballot");
    }
    renderBar();
  }

  setInterval(() => {
    for (const node of root.querySelectorAll("[data-poll-countdown]")) {
      const entry = poll(Number(node.dataset.pollCountdown));
      const text = entry ? pollCountdown(live, entry) : "";
      if (node.textContent !== text) node.textContent = text;
    }
  }, TICK_MS);

  return { render };
}
