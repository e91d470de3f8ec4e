// What the tablet, the console and the hall screen show of a vote, drawn the
// same way on all three: an option's words, the published result (passed or
// not, the numbers that decided it, a bar per option and, for a named poll,
// each name with its choice) and the countdown of a poll with a duration.
//
// The bars are plain elements sized by a custom property (--share), so they
// need no chart library and read as a list to a screen reader; every number
// shown is the server's (POLL.results, docs/voting.md): nothing is counted here.

import { clock, secondsLeft } from "./live-client.js";
import { el, t } from "./meeting-common.js";

const ROLE_WORDS = { yes: "live.vote.yes", no: "live.vote.no", abstain: "live.vote.abstain" };

/** The words of an option: yes / no / abstain in the reader's language, others as typed. */
export function optionLabel(option) {
  return ROLE_WORDS[option?.role] ? t(ROLE_WORDS[option.role]) : (option?.label ?? "");
}

/** Polls of the state, newest first within each status. */
export function pollsOf(state) {
  return [...(state?.polls ?? [])].sort((a, b) => (b.opened_at ?? "").localeCompare(a.opened_at ?? ""));
}

/** The open polls, oldest first (the order a delegate answers them in). */
export function openPolls(state) {
  return pollsOf(state).filter((poll) => poll.status === "open").reverse();
}

/** "Còn 01:23" for a poll that closes by itself, or "" without a deadline. */
export function pollCountdown(live, poll) {
  const left = poll?.status === "open" ? secondsLeft(live, poll.closes_at) : null;
  if (left === null) return "";
  return left > 0 ? t("live.vote.closes_in", { time: clock(left) }) : t("live.vote.closing");
}

/** "Biểu quyết công khai" or "Bỏ phiếu kín". */
export function secrecyLabel(poll) {
  return poll.secret ? t("live.vote.secret") : t("live.vote.named");
}

function share(votes, total) {
  return total > 0 ? Math.round((votes / total) * 1000) / 10 : 0;
}

function ruleText(poll) {
  const rule = poll.rule ?? {};
  const majority = rule.majority === "custom"
    ? t("live.vote.majority_custom", { numerator: rule.numerator, denominator: rule.denominator })
    : t(`live.vote.majority_${rule.majority ?? "more_than_half"}`);
  return t("live.vote.rule", { majority, base: t(`live.vote.base_${rule.base ?? "members"}`) });
}

/** The heading of a result: passed or not, and for a choice or an election what was chosen. */
function outcomeParts(poll) {
  const outcome = poll.results?.outcome ?? {};
  const byId = new Map((poll.options ?? []).map((option) => [option.id, option]));
  const chosen = (outcome.chosen ?? []).map((id) => optionLabel(byId.get(id))).filter(Boolean);
  // An election is not passed or not: it says who was elected.
  const passed = poll.kind === "election" ? chosen.length > 0 : outcome.passed;
  const words = poll.kind !== "election" ? (passed ? t("live.vote.passed") : t("live.vote.not_passed"))
    : passed ? t("live.vote.elected", { names: chosen.join(", ") }) : t("live.vote.none_elected");
  const parts = [el("p", {
    class: "poll-result__outcome", dataset: { outcome: passed ? "passed" : "failed" }, text: words,
  })];
  if (poll.kind === "choice" && chosen.length) {
    parts.push(el("p", { class: "poll-result__chosen", dataset: { chosen: "" },
      text: t("live.vote.chosen", { label: chosen.join(", ") }) }));
  }
  if (outcome.tie) parts.push(el("p", { class: "poll-result__tie", text: t("live.vote.tie") }));
  return parts;
}

/** One bar per option, its length the share of the ballots cast. */
export function barChart(poll) {
  const results = poll.results;
  const cast = results?.turnout?.cast ?? 0;
  const votes = new Map((results?.counts ?? []).map((count) => [count.option_id, count.votes]));
  const chosen = new Set(results?.outcome?.chosen ?? []);
  return el("ul", { class: "bars", role: "list", "aria-label": t("live.vote.chart") },
    (poll.options ?? []).map((option) => {
      const count = votes.get(option.id) ?? 0;
      const percent = share(count, cast);
      const label = optionLabel(option);
      return el("li", {
        class: "bar", dataset: { optionId: String(option.id), role: option.role,
          chosen: String(chosen.has(option.id)) },
        "aria-label": t("live.vote.bar_label", { label, votes: count, percent }),
      },
      el("span", { class: "bar__label", text: label }),
      el("span", { class: "bar__track", "aria-hidden": "true" },
        el("span", { class: "bar__fill", style: `--share: ${percent}%` })),
      el("span", { class: "bar__value", "aria-hidden": "true" },
        el("span", { class: "bar__votes", dataset: { votes: "" }, text: String(count) }),
        el("span", { class: "bar__percent", text: t("live.vote.percent", { percent }) })));
    }));
}

/** The numbers that decided it: who was there, who voted, and what the rule needed. */
function numbers(poll) {
  const { turnout = {}, outcome = {} } = poll.results ?? {};
  const lines = [
    el("p", { class: "poll-result__turnout", dataset: { turnout: "" }, text: t("live.vote.turnout", {
      cast: turnout.cast ?? 0, present: turnout.present ?? 0, members: turnout.members ?? 0 }) }),
    el("p", { class: "poll-result__rule", text: ruleText(poll) }),
  ];
  if (outcome.needed !== undefined && outcome.needed !== null) {
    const words = outcome.deciding_votes === undefined || outcome.deciding_votes === null
      ? t("live.vote.needed", { needed: outcome.needed, base: outcome.base ?? 0 })
      : t("live.vote.needed_got", { needed: outcome.needed, base: outcome.base ?? 0,
        votes: outcome.deciding_votes });
    lines.push(el("p", { class: "poll-result__needed", dataset: { needed: "" }, text: words }));
  }
  return lines;
}

/**
 * Each name with their choice (named polls only); a vote the chair recorded says so.
 * The live state carries only how many names there are: the list itself is asked for
 * once, from the poll's own URL, and filled in when it comes.
 */
function namedList(poll) {
  const named = poll.results?.named;
  const count = named?.length ?? poll.results?.named_count ?? 0;
  if (!count) return null;
  const box = el("details", { class: "poll-result__named", open: true },
    el("summary", { text: t("live.vote.named_list", { count }) }));
  if (named) {
    box.append(namedTable(poll, named));
  } else {
    fetch(`/api/v1/polls/${poll.id}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => {
        const names = answer?.poll?.results?.named;
        if (names) box.append(namedTable(poll, names));
      })
      .catch(() => {});
  }
  return box;
}

function namedTable(poll, named) {
  const byId = new Map((poll.options ?? []).map((option) => [option.id, option]));
  return el("table", { class: "named" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: t("live.vote.name") }),
        el("th", { scope: "col", text: t("live.vote.choice") }))),
      el("tbody", {}, named.map((entry) => el("tr", { dataset: { participantId: String(entry.participant_id) } },
        el("th", { scope: "row", text: entry.name }),
        el("td", {},
          (entry.option_ids ?? []).map((id) => optionLabel(byId.get(id))).join(", ") || t("live.vote.blank"),
          entry.recorded_by_chair ? el("span", { class: "tag", text: t("live.vote.by_chair") }) : null)))));
}

/**
 * The published result of `poll` as one element. `names: false` leaves out the
 * list of names (the hall screen shows the numbers only).
 */
export function resultView(poll, { names = true } = {}) {
  if (!poll?.results) return el("p", { class: "help", text: t("live.vote.no_result") });
  return el("div", {
    class: "poll-result", dataset: { pollResult: String(poll.id),
      passed: String(Boolean(poll.results.outcome?.passed)) },
  },
  ...outcomeParts(poll),
  barChart(poll),
  ...numbers(poll),
  names ? namedList(poll) : null);
}
