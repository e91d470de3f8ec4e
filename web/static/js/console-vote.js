// The console's votes (docs/voting.md): prepare a poll (a draft, over HTTP),
// then open, close and publish it (Socket.IO, each answered by an ack whose
// refusal is shown here), with the live count of who has voted (poll_progress:
// how many, never what) and the published result. An open poll can also be
// closed and published at once (close_poll with publish: one step for the
// chair, and the hall sees the result without waiting for a second one). In a
// named poll the chair may record a show of hands for a delegate seated in a
// remote room; each such vote is a ballot of that delegate with its own id,
// marked as the chair's.
//
// Drafts come from GET /polls (they are not in the live state); every poll past
// its draft comes from the snapshot's `polls`, which the `polls` event replaces.
// A draft can be edited: the form takes its values and saves with PATCH.

import * as wire from "./live-contract.js";
import { ApiError, api, confirmDialog, el, messenger, rebuild, t } from "./meeting-common.js";
import { act, syncControls } from "./console-common.js";
import { ballotId } from "./live-ballot.js";
import { optionLabel, pollCountdown, pollsOf, resultView, secrecyLabel } from "./poll-result.js";

const TICK_MS = 500;

export function setupVote(section, live) {
  const meetingId = live.meetingId;
  const list = section.querySelector("[data-polls]");
  const form = section.querySelector("[data-vote-form]");
  const details = section.querySelector("[data-vote-new]");
  const itemSelect = form.querySelector("[data-vote-items]");
  const say = messenger(section);
  const progress = new Map();     // poll id → {voted, eligible}
  const hands = new Map();        // poll id → {participant_id, option_ids} being entered
  let drafts = [];
  let remoteVoters = [];
  let editing = null;             // the draft poll the form is editing, or null: a new one
  const submitButton = form.querySelector("[data-vote-submit]");
  const cancelButton = form.querySelector("[data-vote-cancel]");

  // --- the form ---------------------------------------------------------------------------

  function syncForm() {
    const kind = form.elements.kind.value;
    for (const part of form.querySelectorAll("[data-when-kind]")) {
      part.hidden = !part.dataset.whenKind.split(" ").includes(kind);
    }
    const label = form.querySelector("[data-options-label]");
    label.textContent = kind === "election" ? label.dataset.election : label.dataset.choice;
    for (const part of form.querySelectorAll("[data-when-majority]")) {
      part.hidden = form.elements.majority.value !== part.dataset.whenMajority;
    }
    // A secret poll keeps no link from voter to choice, so there is nothing to change.
    const secret = form.querySelector('[name="secret"]:checked').value === "yes";
    form.elements.allow_change.disabled = secret;
    if (secret) form.elements.allow_change.checked = false;
  }

  function fields() {
    const value = (name) => form.elements[name].value.trim();
    const kind = value("kind");
    const body = {
      title: value("title"),
      kind,
      secret: form.querySelector('[name="secret"]:checked').value === "yes",
      allow_change: form.elements.allow_change.checked,
      majority: value("majority"),
      base: value("base"),
      options: kind === "yes_no" ? [] : value("options").split("\n").map((line) => line.trim()).filter(Boolean),
      max_selections: kind === "election" ? Number(value("max_selections")) || 1 : 1,
    };
    if (body.majority === "custom") {
      body.numerator = Number(value("numerator"));
      body.denominator = Number(value("denominator"));
    }
    const minutes = Number(value("duration"));
    if (Number.isFinite(minutes) && minutes > 0) body.duration_seconds = Math.round(minutes * 60);
    if (value("agenda_item_id")) body.agenda_item_id = Number(value("agenda_item_id"));
    return body;
  }

  function renderItems(state) {
    const chosen = itemSelect.value;
    const current = state.current_item_id;
    const options = [el("option", { value: "", text: t("live.console_vote.no_item") }),
      ...(state.agenda ?? []).map((item) => el("option", {
        value: String(item.id), text: t("live.item_value", { number: item.number, title: item.title }),
      }))];
    itemSelect.replaceChildren(...options);
    // What the chair chose stays; otherwise the item being discussed.
    itemSelect.value = itemSelect.dataset.touched === "yes" ? chosen : String(current ?? "");
  }

  form.addEventListener("change", (event) => {
    if (event.target === itemSelect) itemSelect.dataset.touched = "yes";
    syncForm();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector('[type="submit"]');
    const body = fields();
    if (!body.title) {
      say.fail(t("live.console_vote.title_missing"));
      form.elements.title.focus();
      return;
    }
    submit.disabled = true;
    try {
      if (editing) {
        const answer = await api("PATCH", `/api/v1/polls/${editing.id}`, body);
        say.ok(t("live.console_vote_edit.saved", { title: answer.poll.title }));
      } else {
        const answer = await api("POST", `/api/v1/meetings/${meetingId}/polls`, body);
        say.ok(t("live.console_vote.created", { title: answer.poll.title }));
      }
      resetForm();
      await loadDrafts();
    } catch (error) {
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    } finally {
      submit.disabled = false;
    }
  });

  function resetForm() {
    form.reset();
    editing = null;
    submitButton.textContent = t("live.console_vote.create");
    cancelButton.hidden = true;
    itemSelect.dataset.touched = "no";
    if (live.state) renderItems(live.state);
    syncForm();
    details.open = false;
  }

  /** The form takes a draft's values; saving then changes that draft. */
  function edit(poll) {
    form.reset();
    editing = poll;
    const rule = poll.rule ?? {};
    form.elements.title.value = poll.title;
    form.elements.kind.value = poll.kind;
    form.querySelector(`[name="secret"][value="${poll.secret ? "yes" : "no"}"]`).checked = true;
    form.elements.allow_change.checked = poll.allow_change;
    form.elements.majority.value = rule.majority;
    form.elements.base.value = rule.base;
    if (rule.majority === "custom") {
      form.elements.numerator.value = String(rule.numerator);
      form.elements.denominator.value = String(rule.denominator);
    }
    form.elements.options.value = poll.kind === "yes_no" ? ""
      : poll.options.filter((option) => option.role === "choice" || option.role === "candidate")
        .map((option) => option.label).join("\n");
    form.elements.max_selections.value = String(poll.max_selections);
    form.elements.duration.value = poll.duration_seconds ? String(poll.duration_seconds / 60) : "0";
    itemSelect.value = poll.agenda_item_id ? String(poll.agenda_item_id) : "";
    itemSelect.dataset.touched = "yes";
    submitButton.textContent = t("live.console_vote_edit.save");
    cancelButton.hidden = false;
    syncForm();
    details.open = true;
    form.elements.title.focus();
  }

  cancelButton.addEventListener("click", resetForm);

  function editButton(poll) {
    return el("button", {
      type: "button", class: "button button--secondary", dataset: { key: `edit-${poll.id}` },
      "aria-label": t("live.console_vote_edit.edit_label", { title: poll.title }),
      onclick: () => edit(poll),
    }, t("live.console_vote_edit.edit"));
  }

  // --- the list -------------------------------------------------------------------------

  async function loadDrafts() {
    try {
      const answer = await api("GET", `/api/v1/meetings/${meetingId}/polls`);
      drafts = (answer.polls ?? []).filter((poll) => poll.status === "draft");
    } catch (error) {
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    }
    draw();
  }

  async function loadVoters() {
    try {
      const detail = await api("GET", `/api/v1/meetings/${meetingId}`);
      const hall = detail.meeting?.hall?.id ?? detail.hall?.id ?? null;
      remoteVoters = (detail.participants ?? []).filter((person) => person.room_id !== null
        && person.room_id !== hall && (person.voting_right || person.substitute_for_id !== null));
    } catch {
      remoteVoters = [];
    }
    draw();
  }

  function progressText(poll) {
    const count = progress.get(poll.id);
    return count
      ? t("live.console_vote.progress", { voted: count.voted, eligible: count.eligible })
      : t("live.console_vote.progress_waiting");
  }

  function ruleSummary(poll) {
    const rule = poll.rule ?? {};
    const majority = rule.majority === "custom"
      ? t("live.vote.majority_custom", { numerator: rule.numerator, denominator: rule.denominator })
      : t(`live.vote.majority_${rule.majority}`);
    const kind = t(`live.console_vote.kind_${poll.kind}`);
    const parts = [kind, secrecyLabel(poll), t("live.vote.rule", { majority, base: t(`live.vote.base_${rule.base}`) })];
    if (poll.allow_change) parts.push(t("live.console_vote.allow_change"));
    if (poll.duration_seconds) parts.push(t("live.console_vote.duration", { minutes: Math.round(poll.duration_seconds / 6) / 10 }));
    if (poll.kind !== "yes_no") parts.push(poll.options.map(optionLabel).join(", "));
    return parts.join(" · ");
  }

  function step(poll, event, text, okText,
    { danger = false, confirm = null, extra = {}, key = event } = {}) {
    const name = { title: poll.title };
    return el("button", {
      type: "button", class: `button ${danger ? "button--danger" : "button--primary"}`,
      "aria-label": t(`${text}_label`, name), dataset: { act: "", key: `${key}-${poll.id}` },
      onclick: async (click) => {
        const button = click.currentTarget;
        if (confirm && !(await confirmDialog(confirm))) return;
        await act(live, { button, say, okText: t(okText, name) }, event, { poll_id: poll.id, ...extra });
        if (event === wire.OPEN_POLL) await loadDrafts();
      },
    }, t(text));
  }

  function deleteButton(poll) {
    return el("button", {
      type: "button", class: "button button--secondary", dataset: { act: "", key: `delete-${poll.id}` },
      "aria-label": t("live.console_vote.delete_label", { title: poll.title }),
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          await api("DELETE", `/api/v1/polls/${poll.id}`);
          say.ok(t("live.console_vote.deleted", { title: poll.title }));
        } catch (error) {
          say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
        }
        await loadDrafts();
      },
    }, t("live.console_vote.delete"));
  }

  function handsForm(poll) {
    if (poll.secret || !remoteVoters.length) return null;
    const entry = hands.get(poll.id) ?? { participant_id: "", option_ids: [] };
    const many = poll.kind === "election";
    const remember = () => hands.set(poll.id, entry);
    return el("form", {
      class: "hands", dataset: { hands: String(poll.id) },
      "aria-label": t("live.console_vote.hands_title"),
      onsubmit: async (event) => {
        event.preventDefault();
        const button = event.currentTarget.querySelector("button");
        const person = remoteVoters.find((p) => p.id === Number(entry.participant_id));
        if (!person || (!many && !entry.option_ids.length)) {
          say.fail(t("live.console_vote.hands_missing"));
          return;
        }
        button.disabled = true;
        try {
          const answer = await live.act(wire.RECORD_HANDS, { poll_id: poll.id, votes: [{
            participant_id: person.id, option_ids: entry.option_ids, ballot_id: ballotId(),
          }] });
          const result = answer.results?.[0];
          if (result?.error) say.fail(result.error.message);
          else {
            say.ok(t("live.console_vote.hands_recorded", { name: person.user.full_name }));
            hands.delete(poll.id);
            draw();
          }
        } catch (error) {
          say.fail(error?.message || t("meeting_pages.network_error"));
        } finally {
          button.disabled = !live.online;
        }
      },
    },
    el("p", { class: "eyebrow", text: t("live.console_vote.hands_title") }),
    el("label", { class: "field" },
      el("span", { text: t("live.console_vote.hands_who") }),
      el("select", {
        dataset: { key: `hands-who-${poll.id}` },
        onchange: (event) => { entry.participant_id = event.currentTarget.value; remember(); },
      },
      el("option", { value: "", text: t("live.console_vote.hands_choose") }),
      remoteVoters.map((person) => el("option", {
        value: String(person.id), selected: String(person.id) === String(entry.participant_id),
        text: person.user.full_name,
      })))),
    el("fieldset", {},
      el("legend", { text: t("live.console_vote.hands_choice") }),
      poll.options.map((option) => el("label", { class: "field--check" },
        el("input", {
          type: many ? "checkbox" : "radio", name: `hands-${poll.id}`, value: String(option.id),
          checked: entry.option_ids.includes(option.id), dataset: { key: `hands-${poll.id}-${option.id}` },
          onchange: (event) => {
            const rest = many ? entry.option_ids.filter((id) => id !== option.id) : [];
            entry.option_ids = event.currentTarget.checked ? [...rest, option.id] : rest;
            remember();
          },
        }), " ", optionLabel(option)))),
    el("button", { type: "submit", class: "button button--secondary", dataset: { act: "", key: `hands-send-${poll.id}` } },
      t("live.console_vote.hands_record")));
  }

  function row(poll) {
    const status = poll.status;
    const parts = [
      el("div", { class: "poll__head" },
        el("h3", { class: "poll__title", text: poll.title }),
        el("span", { class: `tag${status === "open" ? " tag--vote" : ""}`, dataset: { pollStatus: status },
          text: t(`live.console_vote.status_${status}`) })),
      el("p", { class: "poll__meta help", text: ruleSummary(poll) }),
    ];
    if (status === "draft") {
      parts.push(el("div", { class: "poll__actions" },
        step(poll, wire.OPEN_POLL, "live.console_vote.open", "live.console_vote.opened"),
        editButton(poll),
        deleteButton(poll)));
    } else if (status === "open" || status === "closed") {
      parts.push(el("p", { class: "poll__progress", role: "status", dataset: { progress: String(poll.id) },
        text: progressText(poll) }));
      if (status === "open") {
        parts.push(el("p", { class: "poll__meta", dataset: { pollCountdown: String(poll.id) },
          text: pollCountdown(live, poll) }));
        parts.push(el("div", { class: "poll__actions" },
          step(poll, wire.CLOSE_POLL, "live.console_vote.close", "live.console_vote.closed", {
            danger: true,
            confirm: { title: t("live.console_vote.close_title"), text: t("live.console_vote.close_text", { title: poll.title }),
              yes: t("live.console_vote.close") },
          }),
          step(poll, wire.CLOSE_POLL, "live.console_vote.close_publish.button", "live.console_vote.close_publish.done", {
            extra: { publish: true }, key: "close-publish",
            confirm: { title: t("live.console_vote.close_publish.confirm_title"),
              text: t("live.console_vote.close_publish.confirm_text", { title: poll.title }),
              yes: t("live.console_vote.close_publish.button") },
          })));
        parts.push(handsForm(poll));
      } else {
        parts.push(el("div", { class: "poll__actions" },
          step(poll, wire.PUBLISH_POLL, "live.console_vote.publish", "live.console_vote.published")));
      }
    } else if (status === "published") {
      parts.push(resultView(poll));
    }
    return el("li", { class: "poll", dataset: { pollId: String(poll.id), status } }, ...parts);
  }

  function draw() {
    const live_ = pollsOf(live.state);
    const known = new Set(live_.map((poll) => poll.id));
    // Open first (what the chair acts on now), then closed, drafts, and the published last.
    const order = { open: 0, closed: 1, draft: 2, published: 3 };
    const all = [...live_, ...drafts.filter((poll) => !known.has(poll.id))]
      .sort((a, b) => order[a.status] - order[b.status]);
    rebuild(list, all.length ? all.map(row) : [el("li", { class: "help", text: t("live.console_vote.none") })]);
    syncControls(section, live);
  }

  live.addEventListener("poll-progress", ({ detail }) => {
    if (!detail?.poll_id) return;
    progress.set(detail.poll_id, { voted: detail.voted, eligible: detail.eligible });
    for (const node of list.querySelectorAll(`[data-progress="${detail.poll_id}"]`)) {
      node.textContent = progressText({ id: detail.poll_id });
    }
  });

  setInterval(() => {
    for (const node of list.querySelectorAll("[data-poll-countdown]")) {
      const poll = (live.state?.polls ?? []).find((entry) => entry.id === Number(node.dataset.pollCountdown));
      const text = poll ? pollCountdown(live, poll) : "";
      if (node.textContent !== text) node.textContent = text;
    }
  }, TICK_MS);

  syncForm();
  loadDrafts();

  // Who sits in a remote room may change during the meeting: the list is read again
  // whenever a named poll opens.
  const seenOpen = new Set();
  function freshVoters(state) {
    const opened = (state.polls ?? []).filter((poll) => poll.status === "open" && !poll.secret
      && !seenOpen.has(poll.id));
    for (const poll of opened) seenOpen.add(poll.id);
    if (opened.length) loadVoters();
  }

  return {
    render(state) {
      renderItems(state);
      freshVoters(state);
      draw();
    },
  };
}
