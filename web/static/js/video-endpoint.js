// One browser endpoint of the video bridge (docs/video.md): the peer connection,
// its signalling over the page's LiveMeeting, and staying connected.
//
// The endpoint makes the offer, with its transceivers in the contract's fixed
// order: main video sendrecv (the camera), audio sendrecv (the microphone),
// thumbnail video sendonly, then as many recvonly videos as video_join says.
// The thumbnail is the same camera (a clone of its track) sent a second time
// scaled down by four at 5 frames a second (RTCRtpSender encodings): the bridge
// forwards encoded media and cannot scale it, and aiortc answers a plain second
// VP8 stream like any other, with no simulcast to negotiate. No trickle ICE: the
// offer leaves once gathering is complete, candidates inside.
//
// Staying connected: a failed connection, a refusal that may pass (no bridge
// yet, a timeout) and every Socket.IO reconnect (the server drops the peer of a
// socket that went away) start again from video_join, after a back-off that
// grows to half a minute; a `reconnect` command from the server (its meeting
// moved to another worker) starts again at once.

import * as wire from "./live-contract.js";

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const GATHER_TIMEOUT_MS = 3000;
const DISCONNECTED_GRACE_MS = 5000;
const CONNECT_TIMEOUT_MS = 20000;   // ICE that has not connected by then will not
const MAIN_MAX_BITRATE = 600_000;   // a district's link is about 1 Mbit/s in all
const THUMBNAIL = { scaleResolutionDownBy: 4, maxFramerate: 5, maxBitrate: 100_000 };
// Refusals that another attempt would only repeat.
const FINAL = new Set(["not_invited", "forbidden", "not_found", "invalid_sdp", "invalid_field"]);

export class VideoEndpoint extends EventTarget {
  #live;
  #media;
  #wanted = false;
  #generation = 0;
  #attempt = 0;
  #timer = null;
  #graceTimer = null;
  #connectTimer = null;
  #pc = null;
  #thumbnailTrack = null;
  #leaving = Promise.resolve();

  /** `media`: the camera and microphone (either may be missing), kept across reconnects. */
  constructor(live, media) {
    super();
    this.#live = live;
    this.#media = media;
    this.peerId = null;
    this.state = "waiting";
    live.addEventListener("video-command", ({ detail }) => this.#command(detail));
    live.addEventListener("online", ({ detail }) => {
      // The server dropped this peer with the old socket: join again on the new one.
      if (detail.online && this.#wanted) this.#restart(0);
    });
  }

  get microphoneOn() {
    const [track] = this.#media.getAudioTracks();
    return Boolean(track?.enabled);
  }

  /**
   * Whom each thumbnail slot shows now, as the bridge chose (a name, or null for an empty
   * slot), in the order of the receivers; null while that cannot be asked.
   */
  async thumbnailNames() {
    if (!this.#pc || !this.peerId || !this.#live.online) return null;
    try {
      return (await this.#live.act(wire.VIDEO_VIEW, { peer_id: this.peerId })).thumbnails ?? null;
    } catch {
      return null;  // not on the bridge yet, or it is away: the tiles keep their labels
    }
  }

  /** Open or close the microphone; `by` says who asked ("self", or "chair" for a command). */
  setMicrophone(on, by = "self") {
    for (const track of this.#media.getAudioTracks()) track.enabled = on;
    this.#emit("microphone", { on, by });
  }

  start() {
    this.#wanted = true;
    if (this.#live.online) this.#restart(0);
  }

  stop() {
    this.#wanted = false;
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#close();
    this.#setState("closed");
  }

  #restart(delay) {
    clearTimeout(this.#timer);
    this.#generation += 1;
    const generation = this.#generation;
    if (delay) this.#timer = setTimeout(() => this.#connect(generation), delay);
    else this.#connect(generation);
  }

  async #connect(generation) {
    this.#close();
    await this.#leaving;
    if (generation !== this.#generation) return;
    if (!this.#live.online) {
      this.#setState("waiting");   // the next "online" starts again
      return;
    }
    this.#setState("joining");
    try {
      const joined = await this.#live.act(wire.VIDEO_JOIN, { endpoint: "browser" });
      if (generation !== this.#generation) return;
      this.peerId = joined.peer_id;
      const { pc, receivers } = this.#build(joined);
      this.#pc = pc;
      this.#emit("receivers", receivers);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      if (generation !== this.#generation) return;
      const answer = await this.#live.act(wire.VIDEO_OFFER, {
        peer_id: this.peerId, sdp: pc.localDescription.sdp, type: "offer",
      });
      if (generation !== this.#generation) return;
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
      if (pc.connectionState !== "connected") this.#setState("connecting");
      this.#connectTimer = setTimeout(() => {
        if (pc === this.#pc && pc.connectionState !== "connected") this.#failed({ code: "ice_failed" });
      }, CONNECT_TIMEOUT_MS);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#failed(error);
    }
  }

  #build({ ice_servers: iceServers = [], codec = "VP8", thumbnails = 0 }) {
    const pc = new RTCPeerConnection({ iceServers });
    const [camera] = this.#media.getVideoTracks();
    const [microphone] = this.#media.getAudioTracks();
    this.#thumbnailTrack = camera ? camera.clone() : null;
    const main = pc.addTransceiver(camera ?? "video", {
      direction: "sendrecv", streams: [this.#media], sendEncodings: [{ maxBitrate: MAIN_MAX_BITRATE }],
    });
    const audio = pc.addTransceiver(microphone ?? "audio", { direction: "sendrecv", streams: [this.#media] });
    const thumbnail = pc.addTransceiver(this.#thumbnailTrack ?? "video", {
      direction: "sendonly", sendEncodings: [{ ...THUMBNAIL }],
    });
    const others = Array.from({ length: thumbnails }, () => pc.addTransceiver("video", { direction: "recvonly" }));
    for (const transceiver of [main, thumbnail, ...others]) preferCodec(transceiver, codec);

    pc.addEventListener("connectionstatechange", () => {
      if (pc !== this.#pc) return;
      clearTimeout(this.#graceTimer);
      if (pc.connectionState === "connected") {
        clearTimeout(this.#connectTimer);
        this.#attempt = 0;
        this.#setState("connected");
      } else if (pc.connectionState === "failed") {
        this.#failed({ code: "ice_failed" });
      } else if (pc.connectionState === "disconnected") {
        // Often back by itself within a few seconds (a Wi-Fi hand-over); otherwise start again.
        this.#setState("connecting");
        this.#graceTimer = setTimeout(() => {
          if (pc === this.#pc && pc.connectionState !== "connected") this.#failed({ code: "ice_failed" });
        }, DISCONNECTED_GRACE_MS);
      }
    });
    return {
      pc,
      receivers: {
        main: main.receiver,
        audio: audio.receiver,
        thumbnails: others.map((transceiver) => transceiver.receiver),
      },
    };
  }

  #failed(error) {
    this.#close();
    if (FINAL.has(error?.code)) {
      this.#wanted = false;
      this.#setState("stopped", { error });
      return;
    }
    const base = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)];
    this.#attempt += 1;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));   // rooms do not all come back at once
    this.#setState("retrying", { error, seconds: Math.ceil(delay / 1000) });
    this.#restart(delay);
  }

  #command({ command, peer_id: peerId } = {}) {
    if (peerId && peerId !== this.peerId) return;
    if (command === "mute") this.setMicrophone(false, "chair");
    else if (command === "unmute") this.setMicrophone(true, "chair");
    else if (command === "reconnect" && this.#wanted) {
      this.#attempt = 0;
      this.#emit("reconnect-asked", {});
      this.#restart(Math.round(Math.random() * 1000));
    }
  }

  /** Close the peer connection and tell the server, while it is connected, that it is gone. */
  #close() {
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#connectTimer);
    const pc = this.#pc;
    this.#pc = null;
    if (pc) pc.close();
    this.#thumbnailTrack?.stop();
    this.#thumbnailTrack = null;
    if (pc && this.peerId && this.#live.online) {
      // The next join waits for this: a leave answered after it would remove the new peer.
      this.#leaving = this.#live.act(wire.VIDEO_LEAVE, { peer_id: this.peerId }).catch(() => {});
    }
  }

  #setState(state, detail = {}) {
    this.state = state;
    this.#emit("state", { state, ...detail });
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

/** Resolves when ICE gathering is complete, or after a few seconds with what there is. */
function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") {
      resolve();
      return;
    }
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    function done() {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    }
    function check() {
      if (pc.iceGatheringState === "complete") done();
    }
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/** Offer the meeting's codec only (with its retransmission), where the browser allows it. */
function preferCodec(transceiver, codec) {
  if (!transceiver.setCodecPreferences || !window.RTCRtpReceiver?.getCapabilities) return;
  const codecs = RTCRtpReceiver.getCapabilities("video")?.codecs ?? [];
  const wanted = codecs.filter((c) => c.mimeType.toLowerCase() === `video/${codec}`.toLowerCase());
  if (!wanted.length) return;   // the server will say invalid_sdp, which the page shows
  const rtx = codecs.filter((c) => c.mimeType.toLowerCase() === "video/rtx");
  try {
    transceiver.setCodecPreferences([...wanted, ...rtx]);
  } catch {
    transceiver.setCodecPreferences(wanted);
  }
}
