// The reader's status bar (current agenda item, current speaker with the time
// left, connection) and the request to speak.
//
// The countdown runs on the server's clock (LiveMeeting.now() corrects this
// device's clock by the snapshot's server_time) and turns to a warning in the
// last 30 seconds. Asking to speak needs the connection: a request is never
// queued offline, since the chair's queue is the order of the room now.

import { clock, secondsLeft } from "./live-client.js";
import * as wire from "./live-contract.js";
import { t } from "./meeting-common.js";

const WARN_SECONDS = 30;

/** "1.2. Title", or the words for no item. */
export function itemLabel(state) {
  const item = state?.agenda?.find((entry) => entry.id === state.current_item_id);
  return item ? t("live.item_value", { number: item.number, title: item.title }) : t("live.no_item");
}

export function setupStatus(bar, live) {
  const item = bar.querySelector("[data-current-item]");
  const meetingStatus = bar.querySelector("[data-meeting-status]");
  const speaker = bar.querySelector("[data-speaker-name]");
  const countdown = bar.querySelector("[data-countdown]");
  const connection = bar.querySelector("[data-connection]");
  let ticking = null;

  function tick() {
    const turn = live.state?.speaker;
    const left = secondsLeft(live, turn?.deadline);
    if (left === null) {
      countdown.hidden = true;
      countdown.textContent = "";
      delete countdown.dataset.warning;
      return;
    }
    countdown.hidden = false;
    countdown.textContent = left > 0 ? t("live.countdown", { time: clock(left) }) : t("live.time_up");
    if (left <= WARN_SECONDS) countdown.dataset.warning = left > 0 ? "soon" : "over";
    else delete countdown.dataset.warning;
  }

  function render(state) {
    const label = itemLabel(state);
    if (item.textContent !== label) item.textContent = label;
    const status = state?.meeting?.status;
    meetingStatus.textContent = status ? t(`meeting_status.${status}`) : "";
    meetingStatus.dataset.status = status ?? "";
    const turn = state?.speaker;
    const name = turn ? [turn.name, turn.title].filter(Boolean).join(", ") : t("live.no_speaker");
    if (speaker.textContent !== name) speaker.textContent = name;
    bar.dataset.speaking = turn ? "yes" : "no";
    tick();
    if (turn?.deadline && !ticking) ticking = setInterval(tick, 250);
    if (!turn?.deadline && ticking) { clearInterval(ticking); ticking = null; }
  }

  function showConnection(online) {
    connection.dataset.online = online ? "yes" : "no";
    connection.textContent = online ? t("live.connected") : t("live.disconnected");
  }

  return { render, showConnection };
}

/** The "ask to speak" box: the button, my place in the queue, and why it is disabled. */
export function setupSpeak(box, live) {
  const button = box.querySelector("[data-speak]");
  const place = box.querySelector("[data-speak-status]");
  const error = box.querySelector("[data-speak-error]");
  let busy = false;

  function mine(state) {
    const me = state?.me?.participant_id;
    if (!me) return { queued: null, speaking: false, position: 0 };
    const index = (state.queue ?? []).findIndex((turn) => turn.participant_id === me);
    return {
      queued: index >= 0 ? state.queue[index] : null,
      position: index + 1,
      speaking: state.speaker?.participant_id === me,
    };
  }

  function render() {
    const state = live.state;
    const { queued, position, speaking } = mine(state);
    const isLive = state?.meeting?.status === "live";
    button.textContent = queued ? t("live.speak.withdraw") : t("live.speak.request");
    button.dataset.action = queued ? "withdraw" : "request";
    button.disabled = busy || !live.online || !isLive || speaking || !state?.me?.participant_id;
    let text = "";
    if (!live.online) text = t("live.speak.offline");
    else if (!isLive) text = t("live.speak.not_live");
    else if (speaking) text = t("live.speak.speaking");
    else if (queued) text = t("live.speak.queued", { position });
    if (place.textContent !== text) place.textContent = text;
    box.dataset.state = speaking ? "speaking" : queued ? "queued" : "idle";
  }

  button.addEventListener("click", async () => {
    const { queued } = mine(live.state);
    busy = true;
    error.hidden = true;
    render();
    try {
      if (queued) await live.act(wire.WITHDRAW_REQUEST, { turn_id: queued.id });
      else await live.act(wire.REQUEST_TO_SPEAK, {});
    } catch (refusal) {
      error.textContent = refusal?.code === "offline" || refusal?.code === "timeout"
        ? t("live.speak.offline") : (refusal?.message ?? t("meeting_pages.network_error"));
      error.hidden = false;
    } finally {
      busy = false;
      render();
    }
  });

  return { render };
}
