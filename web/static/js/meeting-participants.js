// Participants of the meeting: find users and add them, add a whole unit,
// change role, seat, place and voting right, remove, and the roll call.

import { api, ApiError, busy, confirmDialog, el, messenger, rebuild, t } from "./meeting-common.js";

const SEARCH_DELAY_MS = 250;

function describe(user) {
  const unit = typeof user.unit === "string" ? user.unit : user.unit?.name;
  return [user.title, unit].filter(Boolean).join(" · ");
}

function quorumText(quorum) {
  return t("meeting_pages.quorum", { present: quorum.present, members: quorum.members });
}

export function setupParticipants(root, store) {
  const section = root.querySelector("#participants");
  const list = section.querySelector("[data-participants]");
  const say = messenger(section);
  const base = `/api/v1/meetings/${store.meetingId}/participants`;
  const newRole = section.querySelector("#new-role");
  const newVoting = section.querySelector("#new-voting");

  async function change(work, done) {
    say.clear();
    try {
      const answer = await work();
      store.update({ participants: answer.participants, quorum: answer.quorum });
      if (done) say.ok(done(answer));
      return answer;
    } catch (error) {
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
      render(); // put the controls back to what the server holds
      return undefined;
    }
  }

  function select(key, label, options, value, onChange, extra = {}) {
    const id = `p-${key.replace(":", "-")}`;
    const control = el("select", { id, "aria-label": label, dataset: { key }, onchange: onChange, ...extra },
      options.map(([optionValue, text]) => el("option",
        { value: optionValue, selected: String(optionValue) === String(value ?? "") }, text)));
    return [control, id];
  }

  function labelled(text, [control, id], modifier = "") {
    return el("div", { class: `mini-field ${modifier}` }, el("label", { for: id, text }), control);
  }

  function row(person) {
    const name = person.user.full_name;
    const meeting = store.detail.meeting;
    const patch = (body) => change(() => api("PATCH", `${base}/${person.id}`, body),
      () => t("meeting_pages.participant_saved", { name }));
    const frozen = store.frozen;

    const role = labelled(t("meeting_pages.role"), select(`${person.id}:role`,
      t("meeting_pages.role_of", { name }),
      store.roles.map((value) => [value, t(`meeting_role.${value}`)]), person.role,
      (event) => patch({ role: event.target.value }), { disabled: frozen }));

    const controls = [role];
    if (meeting.hall) {
      const seatId = `p-${person.id}-seat`;
      controls.push(el("div", { class: "mini-field mini-field--seat" },
        el("label", { for: seatId, text: t("meeting_pages.seat") }),
        el("input", {
          id: seatId, type: "number", min: "1", max: String(meeting.hall.seats || 1),
          inputmode: "numeric", value: person.seat ?? "", disabled: frozen,
          "aria-label": t("meeting_pages.seat_of", { name }), dataset: { key: `${person.id}:seat` },
          onchange: (event) => patch({ seat: event.target.value ? Number(event.target.value) : null }),
        })));
    }
    if (store.detail.remote_rooms.length) {
      const places = [["", t("meeting_pages.in_hall")],
        ...store.detail.remote_rooms.map((room) => [room.id, room.name])];
      const current = person.room_id === meeting.hall?.id ? "" : person.room_id;
      controls.push(labelled(t("meeting_pages.place"), select(`${person.id}:place`,
        t("meeting_pages.place_of", { name }), places, current,
        (event) => patch({ room_id: event.target.value ? Number(event.target.value) : null }),
        { disabled: frozen })));
    }
    const votingId = `p-${person.id}-voting`;
    controls.push(el("div", { class: "check check--field" },
      el("input", {
        id: votingId, type: "checkbox", checked: person.voting_right, disabled: frozen,
        "aria-label": t("meeting_pages.voting_of", { name }), dataset: { key: `${person.id}:voting` },
        onchange: (event) => patch({ voting_right: event.target.checked }),
      }),
      el("label", { for: votingId, text: t("meeting_pages.has_vote") })));

    const record = (attendance, reason) => change(
      () => api("POST", `${base}/${person.id}/attendance`, { attendance, absence_reason: reason }),
      () => t("meeting_pages.attendance_saved", { name }));
    const reasonId = `p-${person.id}-reason`;
    const attendance = labelled(t("meeting_pages.attendance_label"), select(`${person.id}:attendance`,
      t("meeting_pages.attendance_of", { name }),
      store.attendances.map((value) => [value, t(`meeting_pages.attendance.${value}`)]),
      person.attendance,
      (event) => {
        const value = event.target.value;
        const reason = list.querySelector(`#${reasonId}`)?.value ?? "";
        record(value, value === "absent" ? reason : "");
      },
      { disabled: !store.roll_call_open }), "mini-field--attendance");
    controls.push(attendance);
    if (person.attendance === "absent") {
      controls.push(el("div", { class: "mini-field mini-field--reason" },
        el("label", { for: reasonId, text: t("meeting_pages.absence_reason") }),
        el("input", {
          id: reasonId, type: "text", maxlength: "500", value: person.absence_reason,
          "aria-label": t("meeting_pages.reason_of", { name }), dataset: { key: `${person.id}:reason` },
          disabled: !store.roll_call_open,
          onchange: (event) => record("absent", event.target.value),
        })));
    }
    const remove = el("button", {
      type: "button", class: "button button--danger button--small", disabled: frozen,
      "aria-label": t("meeting_pages.remove_person", { name }), dataset: { key: `${person.id}:remove` },
      onclick: async () => {
        const yes = await confirmDialog({
          title: t("meeting_pages.remove_person", { name }),
          text: t("meeting_pages.confirm_remove", { name }),
          yes: t("meeting_pages.remove"),
        });
        if (!yes) { remove.focus(); return; }
        await change(() => api("DELETE", `${base}/${person.id}`),
          () => t("meeting_pages.removed", { name }));
        section.querySelector("#people-search").focus();
      },
    }, t("meeting_pages.remove"));

    return el("li", { class: "person", dataset: { participantId: person.id } },
      el("div", { class: "person__head" },
        el("div", { class: "person__who" },
          el("span", { class: "person__name", text: name }),
          describe(person.user) ? el("span", { class: "person__detail", text: describe(person.user) }) : null),
        remove),
      el("div", { class: "person__controls" }, controls));
  }

  function render() {
    const people = store.detail.participants;
    rebuild(list, people.map(row));
    section.querySelector("[data-participant-count]").textContent =
      t("meeting_pages.participants_count", { count: people.length });
    section.querySelector("[data-quorum]").textContent = quorumText(store.detail.quorum);
    renderResults();
  }

  // --- search and add --------------------------------------------------------------------
  const search = section.querySelector("#people-search");
  const results = section.querySelector("#people-results");
  const searchStatus = section.querySelector("[data-search-status]");
  let found = [];
  let pending = null;
  let timer = 0;

  function renderResults() {
    const inMeeting = new Set(store.detail.participants.map((p) => p.user.id));
    rebuild(results, found.map((user) => {
      const name = user.full_name;
      const action = inMeeting.has(user.id)
        ? el("span", { class: "tag", text: t("meeting_pages.already_in") })
        : el("button", {
          type: "button", class: "button button--secondary", "aria-label": t("meeting_pages.add_person", { name }),
          dataset: { key: `user:${user.id}` },
          onclick: async (event) => {
            const button = event.currentTarget;
            await busy(button, null, say, () => change(() => api("POST", base, {
              user_id: user.id, role: newRole.value, voting_right: newVoting.checked,
            }), () => t("meeting_pages.person_added", { name })));
            search.focus();
          },
        }, t("meeting_pages.add"));
      return el("li", { class: "search-result" },
        el("div", { class: "person__who" },
          el("span", { class: "person__name", text: name }),
          el("span", { class: "person__detail", text: [user.username, describe(user)].filter(Boolean).join(" · ") })),
        action);
    }));
  }

  async function runSearch() {
    const query = search.value.trim();
    pending?.abort();
    if (query.length < 2) {
      found = [];
      searchStatus.textContent = "";
      renderResults();
      return;
    }
    pending = new AbortController();
    searchStatus.textContent = t("meeting_pages.searching");
    try {
      const response = await fetch(`/api/v1/users?q=${encodeURIComponent(query)}`, {
        headers: { Accept: "application/json" }, signal: pending.signal, credentials: "same-origin",
      });
      if (response.status === 404 || response.status === 405) {
        searchStatus.textContent = t("meeting_pages.search_unavailable");
        return;
      }
      const answer = await response.json();
      if (!response.ok) {
        searchStatus.textContent = answer?.error?.message ?? t("meeting_pages.network_error");
        return;
      }
      found = answer.users ?? [];
      searchStatus.textContent = found.length
        ? t("meeting_pages.search_count", { count: found.length })
        : t("meeting_pages.search_none");
      renderResults();
    } catch (error) {
      if (error.name !== "AbortError") searchStatus.textContent = t("meeting_pages.network_error");
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      runSearch();
    }
  });

  // --- a whole unit ----------------------------------------------------------------------
  const unitForm = section.querySelector("[data-add-unit]");
  unitForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!unitForm.reportValidity()) return;
    const button = unitForm.querySelector('button[type="submit"]');
    await busy(button, t("meeting_pages.working"), say, () => change(() => api("POST", `${base}/units`, {
      unit_id: Number(unitForm.querySelector("#add-unit").value),
      role: newRole.value, voting_right: newVoting.checked,
    }), (answer) => t("meeting_pages.unit_added", { count: answer.added.length })));
  });

  store.subscribe(render);
  render();
}
