// The console's view of the room: who is connected, from which devices (the
// `presence` event, sent to the console room on every join and leave), and the
// speaking statistics from GET /api/v1/meetings/{id}/speaking, fetched again
// shortly after the floor changes. Who has not spoken yet comes first, as a
// list of names, so the chair sees it at a glance.

import { clock } from "./live-client.js";
import { api, ApiError, el, messenger, t } from "./meeting-common.js";
import { timeOfDay } from "./console-common.js";

const DEVICES = new Set(["tablet", "phone", "computer", "screen"]);
const STATS_DELAY_MS = 600;
// Those who run the meeting or only watch it are not expected to take the floor.
const NOT_EXPECTED_TO_SPEAK = new Set(["chair", "secretary", "observer"]);

export function setupPresence(section) {
  const list = section.querySelector("[data-presence]");
  const count = section.querySelector("[data-presence-count]");

  return {
    render({ connections = [] }) {
      const people = new Map();
      for (const connection of connections) {
        const key = connection.user_id;
        if (!people.has(key)) people.set(key, { name: connection.name, devices: [] });
        people.get(key).devices.push(connection);
      }
      count.textContent = connections.length
        ? t("live.console.presence_count", { count: people.size, connections: connections.length }) : "";
      const sorted = [...people.values()].sort((a, b) => a.name.localeCompare(b.name, "vi"));
      list.replaceChildren(...(sorted.length ? sorted.map((person) => el("li", { class: "presence__person" },
        el("span", { class: "presence__name", text: person.name }),
        el("span", { class: "presence__devices" }, person.devices.map((connection) => el("span", {
          class: "tag", text: `${deviceName(connection.device)} ${t("live.console.presence_since",
            { time: timeOfDay(connection.since) })}`,
        }))))) : [el("li", { class: "help", text: t("live.console.presence_empty") })]));
    },
  };
}

function deviceName(device) {
  return DEVICES.has(device) ? t(`live.console.device_${device}`) : (device || "");
}

export function setupStats(section, meetingId) {
  const box = section.querySelector("[data-stats]");
  const say = messenger(section);
  let timer = null;

  async function load() {
    try {
      render(await api("GET", `/api/v1/meetings/${meetingId}/speaking`));
      say.clear();
    } catch (error) {
      if (!(error instanceof ApiError)) console.error(error);
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    }
  }

  function render({ by_participant: people = [], by_unit: units = [] }) {
    const silent = people.filter((person) => !person.turns && !NOT_EXPECTED_TO_SPEAK.has(person.role));
    const spoken = people.filter((person) => person.turns)
      .sort((a, b) => b.seconds - a.seconds);
    // el() skips the parts that are null; replaceChildren would print them as "null".
    box.replaceChildren(...[
      el("h3", { id: "silent-title", text: t("live.console.silent", { count: silent.length }) }),
      silent.length
        ? el("ul", { class: "silent", role: "list", "aria-labelledby": "silent-title", dataset: { silent: "" } },
          silent.map((person) => el("li", { class: "silent__person" },
            person.name, person.unit ? el("span", { class: "silent__unit", text: person.unit }) : null)))
        : el("p", { class: "help", text: t("live.console.silent_none") }),
      spoken.length ? table(t("live.console.by_participant"), "stats-people",
        [t("live.console.col_name"), t("live.console.col_unit"), t("live.console.col_turns"), t("live.console.col_time")],
        spoken.map((person) => [person.name, person.unit || t("live.console.no_unit"), person.turns, clock(person.seconds)]))
        : null,
      units.length ? table(t("live.console.by_unit"), "stats-units",
        [t("live.console.col_unit"), t("live.console.col_participants"), t("live.console.col_turns"),
          t("live.console.col_time"), t("live.console.col_silent")],
        units.map((unit) => [unit.unit || t("live.console.no_unit"), unit.participants, unit.turns,
          clock(unit.seconds), unit.silent]))
        : null,
    ].filter(Boolean));
  }

  return {
    load,
    /** Fetch again a little later: several floor events in a row cost one request. */
    soon() {
      clearTimeout(timer);
      timer = setTimeout(load, STATS_DELAY_MS);
    },
  };
}

function table(caption, id, headings, rows) {
  return el("div", { class: "table-wrap" },
    el("table", { class: "people stats", id },
      el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, headings.map((heading) => el("th", { scope: "col", text: heading })))),
      el("tbody", {}, rows.map(([first, ...rest]) => el("tr", {},
        el("th", { scope: "row", text: String(first) }),
        rest.map((cell) => el("td", { text: String(cell) })))))));
}
