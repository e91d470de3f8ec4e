// The speaker's clock, shared by the console and the hall screen: a
// countdown to the turn's deadline by the server's clock (LiveMeeting.now()),
// with a stage the style sheets colour: "running", "warning" in the last 30
// seconds, "up" at zero. A turn without a limit shows how long it has run.

import { clock, secondsLeft } from "./live-client.js";

export const WARNING_SECONDS = 30;

/**
 * Write the countdown of `[data-clock]` inside `box`: the time left before its
 * deadline (warning in the last 30 seconds, time up at zero), or, without a
 * limit, how long the speaker has spoken.
 */
export function tickClock(box, live, words) {
  const target = box.querySelector("[data-clock]");
  if (!target) return;
  const { deadline, started, limit } = target.dataset;
  let text;
  let stage = "running";
  if (deadline) {
    // Never more than the limit: a clock a little behind the server's would show 02:01.
    const left = Math.min(secondsLeft(live, deadline), Number(limit) || Infinity);
    stage = left === 0 ? "up" : left <= WARNING_SECONDS ? "warning" : "running";
    text = left === 0 ? words.up() : words.left(clock(left));
  } else {
    const spoken = started ? Math.max(0, (live.now() - Date.parse(started)) / 1000) : 0;
    text = words.running(clock(spoken));
  }
  if (target.textContent !== text) target.textContent = text;
  if (target.dataset.stage !== stage) target.dataset.stage = stage;
}
