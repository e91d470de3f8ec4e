// The browser endpoint page (/meetings/{id}/video): a participant away from any
// room joins the meeting's video from a laptop. The page asks for the camera
// and microphone, joins the meeting (LiveMeeting) and then its video
// (VideoEndpoint, which stays connected by itself); it shows the main video
// large, the other rooms' thumbnails small, its own picture muted, the
// current speaker from the live state, and a microphone button of its own.
// The chair may mute or unmute it from the console (video_command).

import { LiveMeeting } from "./live-client.js";
import { followRecording } from "./live-recording.js";
import { el, t } from "./meeting-common.js";
import { VideoEndpoint } from "./video-endpoint.js";

const CAMERA = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 25, max: 30 } };
const WATCH_MS = 500;
const STILL_MS = 2000;   // no new frame for this long (ten at a thumbnail's 5 fps): it stopped
const MICROPHONE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const root = document.querySelector("[data-video-room]");
const connection = root.querySelector("[data-connection]");
const connectionText = root.querySelector("[data-connection-text]");
const speakerName = root.querySelector("[data-speaker-name]");
const errorBox = root.querySelector("[data-error]");
const noticeBox = root.querySelector("[data-notice]");
const mainVideo = root.querySelector("[data-main-video]");
const mainAudio = root.querySelector("[data-main-audio]");
const mainEmpty = root.querySelector("[data-main-empty]");
const selfVideo = root.querySelector("[data-self-video]");
const thumbList = root.querySelector("[data-thumbs]");
const muteButton = root.querySelector("[data-mute]");
const playButton = root.querySelector("[data-play-audio]");
const retryButton = root.querySelector("[data-retry]");

const live = new LiveMeeting(root.dataset.meetingId);
followRecording(live);
live.offlineMessage = t("live.video.offline");
let endpoint = null;

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function showNotice(text) {
  noticeBox.textContent = text;
  noticeBox.hidden = !text;
}

function setConnection(state, text) {
  connection.dataset.state = state;
  connectionText.textContent = text;
}

// --- the live state: who speaks ------------------------------------------------

live.addEventListener("change", ({ detail }) => {
  if (detail.type !== "snapshot" && detail.type !== "floor") return;
  const speaker = detail.state.speaker;
  speakerName.textContent = speaker ? speaker.name : t("live.video.no_speaker");
  speakerName.dataset.speaking = speaker ? "yes" : "no";
});
live.addEventListener("refused", ({ detail }) => showError(detail.message));
// Set while the camera and microphone could not be opened: the meeting's connection
// coming up afterwards must not say the camera is being opened again.
let mediaRefused = false;

live.addEventListener("online", ({ detail }) => {
  if (!detail.online) setConnection("offline", t("live.video.offline"));
  else if (mediaRefused) setConnection("offline", t("live.video.state_stopped"));
  else if (!endpoint) setConnection("connecting", t("live.video.state_camera"));
});
live.addEventListener("session-ended", ({ detail }) => showError(detail.message ?? ""));

// --- camera and microphone -----------------------------------------------------

async function openMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: CAMERA, audio: MICROPHONE });
  } catch (error) {
    if (error.name !== "NotFoundError" && error.name !== "OverconstrainedError") throw error;
    // One of the two is missing: join with the other rather than not at all.
    for (const only of [{ video: CAMERA }, { audio: MICROPHONE }]) {
      try {
        return await navigator.mediaDevices.getUserMedia(only);
      } catch {
        // try the other
      }
    }
    throw error;
  }
}

function mediaError(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return t("live.video.camera_denied");
    case "NotFoundError":
    case "OverconstrainedError":
      return t("live.video.camera_missing");
    case "NotReadableError":
    case "AbortError":
      return t("live.video.camera_busy");
    default:
      return t("live.video.camera_error", { name: error?.name ?? String(error) });
  }
}

// --- what the bridge sends -----------------------------------------------------

/**
 * Call `onChange(flowing)` when frames start or stop arriving on `receiver`. A
 * remote track stays unmuted after the bridge stops sending to it (a thumbnail
 * slot emptied, the floor given to nobody) and its <video> keeps the last frame,
 * so the page counts decoded frames in the receiver's statistics instead: none
 * new for a few seconds and the picture has stopped. This works for a tile that
 * is hidden, which frame callbacks of its <video> would not.
 */
function watchFrames(receiver, onChange) {
  let flowing = false;
  let decoded = 0;
  let lastFrame = 0;
  onChange(false);
  const timer = setInterval(async () => {
    let now = decoded;
    try {
      for (const report of (await receiver.getStats()).values()) {
        if (report.type === "inbound-rtp") now = report.framesDecoded ?? now;
      }
    } catch {
      return;   // the connection closed: the next tracks come with new watchers
    }
    if (now > decoded) lastFrame = performance.now();
    decoded = now;
    const still = performance.now() - lastFrame > STILL_MS;
    if (still === flowing) onChange((flowing = !still));
  }, WATCH_MS);
  return () => clearInterval(timer);
}

function play(media) {
  return media.play().catch((error) => {
    if (error?.name === "NotAllowedError" && media === mainAudio) playButton.hidden = false;
  });
}

let watchers = [];

function showReceivers({ main, audio, thumbnails }) {
  for (const stop of watchers) stop();
  mainVideo.srcObject = new MediaStream([main.track]);
  mainAudio.srcObject = new MediaStream([audio.track]);
  play(mainVideo);
  play(mainAudio);
  watchers = [watchFrames(main, (flowing) => {
    mainEmpty.hidden = flowing;
    root.dataset.mainFlowing = flowing ? "yes" : "no";
  })];
  thumbList.replaceChildren(...thumbnails.map((receiver, index) => {
    const video = el("video", { autoplay: true, playsInline: true, muted: true, dataset: { thumbVideo: "" } });
    video.srcObject = new MediaStream([receiver.track]);
    const tile = el("li", { class: "video-thumb", hidden: true },
      el("figure", {}, video,
        el("figcaption", { class: "video-thumb__name", text: t("live.video.thumbnail", { number: index + 1 }) })));
    play(video);
    watchers.push(watchFrames(receiver, (flowing) => { tile.hidden = !flowing; }));
    return tile;
  }));
  nameThumbnails();
}

// --- whose picture each thumbnail is --------------------------------------------
// The bridge moves rooms between the slots as people speak; the page asks who is where.

const NAMES_EVERY_MS = 3000;

async function nameThumbnails() {
  const names = await endpoint?.thumbnailNames();
  if (!names) return;
  [...thumbList.querySelectorAll("figcaption")].forEach((caption, index) => {
    const name = names[index] ?? t("live.video.thumbnail", { number: index + 1 });
    if (caption.textContent !== name) caption.textContent = name;
  });
}

setInterval(nameThumbnails, NAMES_EVERY_MS);
live.addEventListener("change", ({ detail }) => {
  if (detail.type === "floor") setTimeout(nameThumbnails, 500);  // after the bridge re-routes
});

playButton.addEventListener("click", async () => {
  try {
    await mainAudio.play();
    playButton.hidden = true;
  } catch {
    // still blocked: leave the button
  }
});

// --- the microphone button -----------------------------------------------------

function drawMicrophone({ on, by }) {
  muteButton.textContent = t(on ? "live.video.mute" : "live.video.unmute");
  muteButton.dataset.on = on ? "yes" : "no";
  root.dataset.microphone = on ? "on" : "off";
  if (by === "chair") showNotice(t(on ? "live.video.unmuted_by_chair" : "live.video.muted_by_chair"));
  else if (by === "self") showNotice(on ? "" : t("live.video.mic_off"));
}

muteButton.addEventListener("click", () => endpoint?.setMicrophone(!endpoint.microphoneOn));

// --- the connection ------------------------------------------------------------

const STATES = {
  waiting: ["connecting", () => t("live.video.state_waiting")],
  joining: ["connecting", () => t("live.video.state_joining")],
  connecting: ["connecting", () => t("live.video.state_connecting")],
  connected: ["online", () => t("live.video.state_connected")],
  retrying: ["offline", ({ seconds }) => t("live.video.state_retrying", { seconds })],
  stopped: ["offline", () => t("live.video.state_stopped")],
  closed: ["offline", () => t("live.video.state_stopped")],
};

function drawState(detail) {
  const [look, text] = STATES[detail.state] ?? STATES.connecting;
  setConnection(look, text(detail));
  root.dataset.videoState = detail.state;
  if (detail.state === "connected") showError("");
  else if (detail.error?.message) showError(detail.error.message);
  retryButton.hidden = detail.state !== "stopped";
}

async function begin() {
  retryButton.hidden = true;
  showError("");
  if (!window.RTCPeerConnection) {
    showError(t("live.video.no_webrtc"));
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    showError(t(window.isSecureContext ? "live.video.no_webrtc" : "live.video.insecure"));
    return;
  }
  setConnection("connecting", t("live.video.state_camera"));
  mediaRefused = false;
  let media;
  try {
    media = await openMedia();
  } catch (error) {
    mediaRefused = true;
    showError(mediaError(error));
    setConnection("offline", t("live.video.state_stopped"));
    retryButton.hidden = false;
    return;
  }
  if (!media.getVideoTracks().length) showNotice(t("live.video.no_camera"));
  if (!media.getAudioTracks().length) {
    showNotice(t("live.video.no_microphone"));
    muteButton.disabled = true;
  }
  selfVideo.srcObject = new MediaStream(media.getVideoTracks());
  play(selfVideo);
  endpoint = new VideoEndpoint(live, media);
  endpoint.addEventListener("state", ({ detail }) => drawState(detail));
  endpoint.addEventListener("receivers", ({ detail }) => showReceivers(detail));
  endpoint.addEventListener("microphone", ({ detail }) => drawMicrophone(detail));
  endpoint.addEventListener("reconnect-asked", () => showNotice(t("live.video.reconnect_asked")));
  if (media.getAudioTracks().length) muteButton.disabled = false;
  drawMicrophone({ on: endpoint.microphoneOn, by: "page" });
  endpoint.start();
}

retryButton.addEventListener("click", () => {
  if (endpoint) endpoint.start();
  else begin();
});

begin();
