// The live state of one meeting, kept in step with the server.
//
// One Socket.IO connection (websocket only: long-polling lost packets under
// bursts), one `join` whose acknowledgement is the whole state, then one
// `meeting_event` per change. An event one revision ahead is applied; an older
// one is ignored; a gap, and every reconnect, asks for a new snapshot, so a
// tablet that was offline for an hour catches up in one answer, never by replay.

import { io } from "/vendor/socket.io/socket.io.esm.min.js";
import * as wire from "./live-contract.js";

const ACK_TIMEOUT_MS = 8000;

export class LiveMeeting extends EventTarget {
  constructor(meetingId, { device = deviceName() } = {}) {
    super();
    this.meetingId = Number(meetingId);
    this.device = device;
    this.state = null;         // the snapshot, kept current
    this.clockOffset = 0;      // server time minus this device's time, in ms
    this.online = false;
    this.socket = io(wire.NAMESPACE, {
      transports: ["websocket"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
    });
    this.socket.on("connect", () => this.#join());
    this.socket.on("disconnect", () => this.#setOnline(false));
    this.socket.on("connect_error", () => this.#setOnline(false));
    this.socket.on(wire.MEETING_EVENT, (event) => this.#apply(event));
    this.socket.on(wire.ANNOTATION_EVENT, (payload) => this.#emit("annotation", payload));
    this.socket.on(wire.PRESENCE_EVENT, (payload) => this.#emit("presence", payload));
    this.socket.on(wire.POLL_PROGRESS, (payload) => this.#emit("poll-progress", payload));
    this.socket.on(wire.SESSION_ENDED, (payload) => this.#emit("session-ended", payload));
    this.socket.on(wire.VIDEO_COMMAND, (payload) => this.#emit("video-command", payload));
  }

  /** Server time now, as this device best knows it (ms since the epoch). */
  now() {
    return Date.now() + this.clockOffset;
  }

  /** Send an action; resolves with the server's answer, rejects with {code, message}. */
  async act(event, payload = {}) {
    if (!this.socket.connected) {
      throw { code: "offline", message: this.offlineMessage ?? "offline" };
    }
    let answer;
    try {
      answer = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      throw { code: "timeout", message: this.offlineMessage ?? "timeout" };
    }
    if (answer?.error) throw answer.error;
    return answer;
  }

  async refresh() {
    const answer = await this.act(wire.SNAPSHOT);
    this.#take(answer.snapshot);
  }

  async #join() {
    try {
      const answer = await this.socket.timeout(ACK_TIMEOUT_MS)
        .emitWithAck(wire.JOIN, { meeting_id: this.meetingId, device: this.device });
      if (answer?.error) {
        this.#emit("refused", answer.error);
        return;
      }
      this.#take(answer.snapshot);
      this.#setOnline(true);
    } catch {
      // No answer in time: the next reconnect joins again.
      this.socket.disconnect().connect();
    }
  }

  #take(snapshot) {
    this.clockOffset = Date.parse(snapshot.server_time) - Date.now();
    this.state = snapshot;
    this.#emit("change", { type: "snapshot", state: snapshot });
  }

  #apply(event) {
    if (this.state === null || event.rev <= this.state.rev) return;
    if (event.rev !== this.state.rev + 1 || !(event.type in wire.EVENT_PARTS)) {
      this.refresh().catch(() => {});
      return;
    }
    wire.EVENT_PARTS[event.type](this.state, event.data);
    this.state.rev = event.rev;
    this.#emit("change", { type: event.type, state: this.state, data: event.data });
  }

  #setOnline(online) {
    if (this.online === online) return;
    this.online = online;
    this.#emit("online", { online });
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

function deviceName() {
  const agent = navigator.userAgent;
  if (/iPad|Tablet|Android(?!.*Mobile)/i.test(agent)) return "tablet";
  if (/Mobile|iPhone|Android/i.test(agent)) return "phone";
  return "computer";
}

/** Seconds left before `deadline` (ISO text), by the server's clock; null without one. */
export function secondsLeft(live, deadline) {
  if (!deadline) return null;
  return Math.max(0, Math.ceil((Date.parse(deadline) - live.now()) / 1000));
}

/** "04:05" from seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(s / 60);
  return `${String(minutes).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
