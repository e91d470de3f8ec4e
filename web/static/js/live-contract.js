// The wire contract of the live meeting, mirroring server/realtime/events.py.
// Change both together; docs/realtime.md describes every payload.

export const NAMESPACE = "/meetings";

// server → client
export const WELCOME = "welcome";
export const SESSION_ENDED = "session_ended";
export const MEETING_EVENT = "meeting_event";
export const ANNOTATION_EVENT = "annotation";
export const PRESENCE_EVENT = "presence";
export const POLL_PROGRESS = "poll_progress";
export const VIDEO_COMMAND = "video_command";

// client → server
export const JOIN = "join";
export const SNAPSHOT = "snapshot";
export const LEAVE = "leave";
export const START_MEETING = "start_meeting";
export const END_MEETING = "end_meeting";
export const GO_TO_ITEM = "go_to_item";
export const PRESENT = "present";
export const TURN_PAGE = "turn_page";
export const STOP_PRESENTING = "stop_presenting";
export const CONCLUDE_ITEM = "conclude_item";
export const GIVE_FLOOR = "give_floor";
export const END_TURN = "end_turn";
export const REORDER_QUEUE = "reorder_queue";
export const DECLINE_REQUEST = "decline_request";
export const OPEN_POLL = "open_poll";
export const CLOSE_POLL = "close_poll";
export const PUBLISH_POLL = "publish_poll";
export const RECORD_HANDS = "record_hands";
export const CAST_BALLOT = "cast_ballot";
export const REQUEST_TO_SPEAK = "request_to_speak";
export const WITHDRAW_REQUEST = "withdraw_request";

// client → server: video endpoints (docs/video.md)
export const VIDEO_JOIN = "video_join";
export const VIDEO_OFFER = "video_offer";
export const VIDEO_LEAVE = "video_leave";
export const VIDEO_VIEW = "video_view";
export const VIDEO_MUTE = "video_mute";

// Types of MEETING_EVENT: the part of the snapshot each replaces.
export const EVENT_PARTS = {
  status: (state, data) => { Object.assign(state.meeting, data); },
  item: (state, data) => { state.current_item_id = data.current_item_id; state.agenda = data.agenda; },
  presentation: (state, data) => { state.presentation = data.presentation; },
  floor: (state, data) => { state.speaker = data.speaker; state.queue = data.queue; },
  attendance: (state, data) => { state.quorum = data.quorum; },
  documents: () => {},
  polls: (state, data) => { state.polls = data.polls; },
  minutes: (state, data) => { state.minutes = data.minutes; },
};
