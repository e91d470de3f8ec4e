// The console's video endpoints ("Điểm cầu truyền hình"): every room the meeting
// invites and every browser on the bridge, from GET /api/v1/meetings/{id}/video
// (the worker's view merged with each room's last heartbeat), fetched every few
// seconds and soon after a floor change. Each row says whether it is connected,
// how loud it is, whether it has the main video, the room computer's health,
// its link (what the bridge sends it against its budget, "420/1000 kbit/s"),
// and has "mute"/"unmute" (video_mute) and "give the floor" (give_floor with the
// participant seated there: the server then switches the main video to it).
//
// Rows are kept per peer and updated in place, so a chair moving through the
// buttons with the keyboard keeps the focus across refreshes.

import * as wire from "./live-contract.js";
import { api, ApiError, el, messenger, t } from "./meeting-common.js";
import { act, switchOff } from "./console-common.js";

const REFRESH_MS = 3000;
const SOON_MS = 500;
const STALE_SECONDS = 15;   // an agent beats every few seconds: longer than this is a worry
const LEVEL_RANGE_DB = 60;  // speech sits in the top 60 dB; below that the meter reads empty

export function setupVideo(section, live) {
  const list = section.querySelector("[data-endpoints]");
  const note = section.querySelector("[data-video-note]");
  const recordingNote = section.querySelector("[data-video-recording]");
  const limitField = document.querySelector("[data-limit]");
  const say = messenger(section);
  const rows = new Map();
  // What the last video_command said per peer, for a worker that does not report mutes.
  const commanded = new Map();
  let last = null;
  let timer = null;
  let busy = false;

  live.addEventListener("video-command", ({ detail }) => {
    if (!detail?.peer_id || !["mute", "unmute"].includes(detail.command)) return;
    commanded.set(detail.peer_id, detail.command === "mute");
    if (last) render(last);
  });

  async function load() {
    if (busy) return;
    busy = true;
    try {
      last = await api("GET", `/api/v1/meetings/${live.meetingId}/video`);
      render(last);
      say.clear();
    } catch (error) {
      if (!(error instanceof ApiError)) console.error(error);
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    } finally {
      busy = false;
    }
  }

  function limitSeconds() {
    const minutes = Number(limitField?.value);
    return Number.isFinite(minutes) && minutes > 0 ? Math.round(minutes * 60) : null;
  }

  function muted(endpoint) {
    if (typeof endpoint.muted === "boolean") return endpoint.muted;
    return commanded.get(endpoint.peer_id) ?? false;
  }

  function build(endpoint) {
    const parts = {
      name: el("span", { class: "endpoint__name" }),
      kind: el("span", { class: "tag" }),
      state: el("span", { class: "endpoint__state" }),
      marks: el("span", { class: "endpoint__marks" }),
      level: el("meter", { class: "endpoint__level", min: 0, max: 1 }),
      health: el("p", { class: "endpoint__health" }),
      // Not ".endpoint__health": one line of health per row is what the page's tests read.
      link: el("div", { class: "help endpoint__link" }),
      mute: el("button", { type: "button", class: "button button--secondary button--small", dataset: { act: "" } }),
      give: el("button", { type: "button", class: "button button--primary button--small", dataset: { act: "" } }),
    };
    parts.li = el("li", { class: "endpoint", dataset: { peerId: endpoint.peer_id } },
      el("div", { class: "endpoint__head" }, parts.name, parts.kind, parts.state, parts.marks),
      parts.level, parts.health, parts.link,
      el("div", { class: "endpoint__actions" }, parts.mute, parts.give));
    parts.mute.addEventListener("click", () => {
      const { current } = parts;
      const mute = !muted(current);
      const name = { name: current.name };
      act(live, {
        button: parts.mute, say, okText: t(mute ? "live.console_video.muted_done" : "live.console_video.unmuted_done", name),
      }, wire.VIDEO_MUTE, { peer_id: current.peer_id, audio: mute }).then((ok) => {
        if (ok) commanded.set(current.peer_id, mute);
        soon();
      });
    });
    parts.give.addEventListener("click", () => {
      const { current } = parts;
      const limit = limitSeconds();
      const payload = { participant_id: current.participant_id, ...(limit ? { limit_seconds: limit } : {}) };
      act(live, {
        button: parts.give, say, okText: t("live.console_video.floor_given", { name: current.name }),
      }, wire.GIVE_FLOOR, payload).then(soon);
    });
    return parts;
  }

  function update(parts, endpoint) {
    parts.current = endpoint;
    const name = { name: endpoint.name };
    const isMuted = muted(endpoint);
    Object.assign(parts.li.dataset, {
      connected: endpoint.connected ? "yes" : "no",
      floor: endpoint.floor ? "yes" : "no",
      speaking: endpoint.active_speaker ? "yes" : "no",
      muted: isMuted ? "yes" : "no",
    });
    parts.name.textContent = endpoint.name;
    parts.kind.textContent = t(`live.console_video.kind_${endpoint.hall ? "hall" : endpoint.kind === "browser" ? "browser" : "room"}`);
    parts.state.textContent = t(endpoint.connected ? "live.console_video.connected" : "live.console_video.not_connected");
    parts.marks.replaceChildren(...[
      endpoint.floor ? el("span", { class: "endpoint__mark endpoint__mark--floor", text: t("live.console_video.floor") }) : null,
      endpoint.active_speaker
        ? el("span", { class: "endpoint__mark endpoint__mark--speaking", text: t("live.console_video.speaking") }) : null,
      endpoint.connected && isMuted
        ? el("span", { class: "endpoint__mark endpoint__mark--muted", text: t("live.console_video.muted") }) : null,
    ].filter(Boolean));
    const level = audioLevel(endpoint.audio_level);
    parts.level.hidden = !endpoint.connected || level === null;
    parts.level.value = level ?? 0;
    parts.level.setAttribute("aria-label", t("live.console_video.level_label", name));
    parts.level.textContent = level === null ? "" : `${Math.round(level * 100)}%`;
    drawHealth(parts.health, endpoint);
    drawLink(parts.link, endpoint);
    parts.mute.textContent = t(isMuted ? "live.console_video.unmute" : "live.console_video.mute");
    parts.mute.setAttribute("aria-label",
      t(isMuted ? "live.console_video.unmute_label" : "live.console_video.mute_label", name));
    switchOff(parts.mute, !endpoint.connected, live);
    parts.give.textContent = t("live.console_video.give_floor");
    parts.give.setAttribute("aria-label", t("live.console_video.give_floor_label", name));
    parts.give.title = endpoint.participant_id ? "" : t("live.console_video.no_participant");
    switchOff(parts.give, !endpoint.participant_id, live);
  }

  function render(view) {
    const endpoints = view.endpoints ?? [];
    note.textContent = view.placed ? "" : t("live.console_video.no_bridge");
    note.hidden = Boolean(view.placed);
    // Asked for but not being written (no room connected yet, or the worker could not):
    // the chair should know before the meeting's record depends on it.
    recordingNote.hidden = !view.record_video;
    recordingNote.textContent = view.recording
      ? t("live.console_video.recording_to", { file: view.recording })
      : t("live.console_video.recording_not_yet");
    const seen = new Set();
    const ordered = endpoints.map((endpoint) => {
      seen.add(endpoint.peer_id);
      if (!rows.has(endpoint.peer_id)) rows.set(endpoint.peer_id, build(endpoint));
      const parts = rows.get(endpoint.peer_id);
      update(parts, endpoint);
      return parts.li;
    });
    for (const [peerId, parts] of rows) {
      if (!seen.has(peerId)) {
        parts.li.remove();
        rows.delete(peerId);
      }
    }
    // Move rows only when the order changed: moving a row takes the focus from its button.
    const current = [...list.children].filter((child) => child.classList.contains("endpoint"));
    if (current.length !== ordered.length || current.some((child, i) => child !== ordered[i])) {
      list.replaceChildren(...ordered);
    }
    if (!ordered.length) list.replaceChildren(el("li", { class: "help", text: t("live.console_video.empty") }));
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(load, SOON_MS);
  }

  return {
    load,
    soon,
    start() {
      load();
      setInterval(load, REFRESH_MS);
    },
    /** The connection came back or went: the buttons follow the console's lock. */
    sync() {
      if (last) render(last);
    },
  };
}

/** The worker's level (dBov: 0 the loudest, -127 silence) as 0–1 over the last 60 dB. */
function audioLevel(dbov) {
  if (typeof dbov !== "number" || !Number.isFinite(dbov)) return null;
  return Math.min(1, Math.max(0, (dbov + LEVEL_RANGE_DB) / LEVEL_RANGE_DB));
}

function drawHealth(node, endpoint) {
  const health = endpoint.health;
  if (endpoint.kind !== "room") {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  // Silence from a room that is on the bridge is a worry; from one that is not, expected.
  if (!health) {
    node.textContent = t("live.console_video.no_heartbeat");
    node.dataset.stale = endpoint.connected ? "yes" : "no";
    return;
  }
  const age = health.age_seconds ?? 0;
  node.dataset.stale = endpoint.connected && age > STALE_SECONDS ? "yes" : "no";
  node.textContent = t("live.console_video.heartbeat", {
    cpu: Math.round((health.cpu ?? 0) * 100),
    bitrate: Math.round(health.bitrate_kbps ?? 0),
    loss: percent(health.packet_loss),
    age: age < 60 ? t("live.console_video.age_seconds", { count: age })
      : t("live.console_video.age_minutes", { count: Math.floor(age / 60) }),
  });
}

/** What the bridge sends the endpoint against its link budget (both in kbit/s): the
 *  budget alone before it connects; marked when more goes than the link carries, which
 *  happens only when the main video and sound alone exceed it (no thumbnail is sent). */
function drawLink(node, endpoint) {
  const budget = endpoint.budget_kbps || null;
  const sent = endpoint.connected && typeof endpoint.sent_kbps === "number" ? endpoint.sent_kbps : null;
  node.hidden = budget === null && sent === null;
  const over = budget !== null && sent !== null && sent > budget;
  node.dataset.over = over ? "yes" : "no";
  if (sent === null) {
    node.textContent = budget === null ? "" : t("live.console_video_link.budget", { budget });
    return;
  }
  const figures = budget === null
    ? t("live.console_video_link.sent_unlimited", { sent })
    : t("live.console_video_link.sent", { sent, budget });
  node.replaceChildren(figures, ...(over ? [" · ", el("strong", { text: t("live.console_video_link.over") })] : []));
}

/** Packet loss (a fraction) as a percentage with one decimal. */
function percent(value) {
  const number = Number(value ?? 0) * 100;
  return (Math.round(number * 10) / 10).toLocaleString(document.documentElement.lang || "vi");
}
