// The "Đang ghi hình" mark (live/_recording_mark.html): people in the hall and in the
// district rooms are told while the meeting is being recorded, on every live page.

/** Whether the live state says the meeting is being recorded now. */
export function recording(state) {
  const meeting = state?.meeting;
  return Boolean(meeting?.record_video && meeting.status === "live");
}

/** Keep every [data-recording-mark] under `root` in step with `live`'s state. */
export function followRecording(live, root = document) {
  const marks = root.querySelectorAll("[data-recording-mark]");
  live.addEventListener("change", ({ detail }) => {
    if (detail.type !== "snapshot" && detail.type !== "status") return;
    for (const mark of marks) mark.hidden = !recording(detail.state);
  });
}
