// The chair's console: one LiveMeeting, and the parts of the page that each
// redraw from the part of the state an event replaced (docs/realtime.md).
// Every action waits for the server's acknowledgement and shows its refusal in
// the section it came from; the change itself arrives as a meeting_event, as
// on every tablet. While the connection is down every action is locked.

import { LiveMeeting } from "./live-client.js";
import { followRecording } from "./live-recording.js";
import * as wire from "./live-contract.js";
import { confirmDialog, messenger, t } from "./meeting-common.js";
import { act, switchOff, syncControls } from "./console-common.js";
import { setupAgenda } from "./console-agenda.js";
import { setupFloor } from "./console-floor.js";
import { setupPresentation } from "./console-present.js";
import { setupPresence, setupStats } from "./console-room.js";
import { setupVideo } from "./console-video.js";
import { setupVote } from "./console-vote.js";

const TICK_MS = 250;

const root = document.querySelector("[data-console]");
const live = new LiveMeeting(root.dataset.meetingId);
followRecording(live);
live.offlineMessage = t("live.console.offline");

const head = root.querySelector("#meeting-controls");
const say = messenger(head);
const startButton = head.querySelector("[data-start]");
const endButton = head.querySelector("[data-end]");
const notLive = head.querySelector("[data-not-live]");
const connection = head.querySelector("[data-connection]");
const badge = head.querySelector("[data-status-badge]");

const agenda = setupAgenda(root.querySelector("#agenda"), live);
const floor = setupFloor(root.querySelector("#floor"), live);
const presentation = setupPresentation(root.querySelector("#presentation"), live);
const presence = setupPresence(root.querySelector("#presence"));
const stats = setupStats(root.querySelector("#stats"), live.meetingId);
const vote = setupVote(root.querySelector("#vote"), live);
const video = setupVideo(root.querySelector("#video"), live);

function renderStatus(state) {
  const { status } = state.meeting;
  badge.className = `badge badge--${status}`;
  badge.querySelector("[data-status-text]").textContent = t(`meeting_status.${status}`);
  switchOff(startButton, status !== "scheduled", live);
  switchOff(endButton, status !== "live", live);
  startButton.hidden = status !== "scheduled";
  endButton.hidden = status === "scheduled";
  notLive.hidden = !["draft", "scheduled"].includes(status);
  root.dataset.meetingStatus = status;
  const quorum = state.quorum;
  head.querySelector("[data-quorum]").textContent = quorum
    ? t("live.console.quorum", { present: quorum.present, members: quorum.members }) : "";
}

// Which parts each event redraws; a snapshot redraws them all.
const PARTS = {
  status: [renderStatus, agenda.render],
  item: [agenda.render, vote.render],
  presentation: [presentation.render],
  floor: [floor.render.bind(floor), () => stats.soon(), () => video.soon()],
  attendance: [renderStatus],
  documents: [() => presentation.loadDocuments()],
  polls: [vote.render],
};
const EVERYTHING = [renderStatus, agenda.render, presentation.render, floor.render.bind(floor), () => stats.soon(),
  vote.render];

live.addEventListener("change", ({ detail }) => {
  for (const draw of (detail.type === "snapshot" ? EVERYTHING : PARTS[detail.type] ?? [])) draw(detail.state);
});

live.addEventListener("online", ({ detail }) => {
  connection.dataset.state = detail.online ? "online" : "offline";
  connection.querySelector("[data-connection-text]").textContent =
    t(detail.online ? "live.console.online" : "live.console.offline");
  syncControls(root, live);
  video.sync();
});

live.addEventListener("refused", ({ detail }) => say.fail(detail.message));
live.addEventListener("presence", ({ detail }) => presence.render(detail));

startButton.addEventListener("click", () => act(live, {
  button: startButton, say, okText: t("live.console.started"),
}, wire.START_MEETING));

endButton.addEventListener("click", async () => {
  const sure = await confirmDialog({
    title: t("live.console.end_title"), text: t("live.console.end_text"), yes: t("live.console.end_yes"),
  });
  if (sure) await act(live, { button: endButton, say, okText: t("live.console.ended") }, wire.END_MEETING);
});

syncControls(root, live);
presentation.loadDocuments();
stats.load();
video.start();
setInterval(() => {
  if (!live.state) return;
  agenda.tick();
  floor.tick();
}, TICK_MS);
