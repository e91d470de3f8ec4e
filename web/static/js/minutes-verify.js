// The verification page: a PDF chosen or dropped here goes to the server, which
// checks every signature (integrity, chain to the configured roots, revocation,
// what changed after it, and long-term validation from the archive data in the
// file) and whether every expected signer is present; the answer is told in plain
// words: valid, valid for the archive (valid when signed, a certificate has expired
// or been revoked since), or invalid. The file is not kept by the page.

import { csrfToken } from "./app.js";
import { el, messenger, t } from "./meeting-common.js";

const box = document.querySelector("[data-verify]");
const report = document.querySelector("[data-report]");
const input = box.querySelector("[data-file]");
const drop = box.querySelector("[data-drop]");
const say = messenger(box);

/** "14:05:09 ngày 03/12/2026 (giờ Việt Nam)": UTC+7 all year, whatever the device's zone. */
function vietnamTime(iso) {
  if (!iso) return t("minutes_verify.none");
  const shifted = new Date(Date.parse(iso) + 7 * 3600 * 1000).toISOString();
  return t("minutes_verify.time", {
    time: shifted.slice(11, 19),
    date: `${shifted.slice(8, 10)}/${shifted.slice(5, 7)}/${shifted.slice(0, 4)}`,
  });
}

/** A missing signer: a role's name when it is one, the name as given otherwise. */
function signerName(value) {
  const key = `minutes.role.${value}`;
  const name = t(key);
  return name === key ? value : name;
}

// A signature's standing as the server judged it: "valid", "valid_for_archive" or "invalid".
const STANDING_TAGS = {
  valid: "minutes_verify.ok",
  valid_for_archive: "minutes_verify.long_term.valid_for_archive",
  invalid: "minutes_verify.not_ok",
};

/** An expired chain has its own catalog section; trusted and untrusted sit in the report's. */
function chainText(chain) {
  return t(chain === "expired" ? "minutes.report.chain.expired" : `minutes.report.${chain}`);
}

/** The long-term rows: the outcome, its ETSI code when it did not pass, and the proven time. */
function longTermRows(s) {
  if (!s.long_term) return [];
  const reason = s.long_term_reason === "disallowed_change"
    ? t("minutes_verify.long_term.disallowed_change") : s.long_term_reason?.toUpperCase();
  return [
    row(t("minutes_verify.long_term.title"), t(`minutes.report.long_term.${s.long_term}`),
      s.long_term === "passed" ? true : s.long_term === "failed" ? false : undefined),
    reason ? row(t("minutes_verify.long_term.reason"), reason) : null,
    s.proven_at ? row(t("minutes_verify.long_term.proven_at"), vietnamTime(s.proven_at)) : null,
  ];
}

function row(label, value, good) {
  return el("div", { class: "facts__row" },
    el("dt", { text: label }),
    el("dd", { class: good === undefined ? null : good ? "is-good" : "is-bad" }, value));
}

function signatureItem(s, index) {
  const standing = s.standing;
  const ok = standing !== "invalid";
  const title = s.document_timestamp ? t("minutes.report.document_timestamp")
    : s.role ? signerName(s.role) : t("minutes_verify.signature_n", { number: index + 1 });
  let change = t(`minutes.change.${s.change}`);
  if (s.change_allowed === false) change = t("minutes_verify.change_not_allowed", { change });
  return el("li", { class: `signature card signature--${ok ? "ok" : "bad"}`, dataset: { signature: s.role ?? s.field ?? index } },
    el("h3", { class: "signature__title" },
      el("span", { text: title }),
      el("span", { class: `tag ${ok ? "tag--ok" : "tag--bad"}`, text: t(STANDING_TAGS[standing]) })),
    el("dl", { class: "facts" },
      row(t("minutes_verify.signer"), s.signer || t("minutes_verify.none")),
      s.document_timestamp ? null : row(t("minutes_verify.role"),
        s.role ? signerName(s.role) : t("minutes_verify.none")),
      s.certification ? row(t("minutes_verify.kind"), t("minutes_verify.certification")) : null,
      s.document_timestamp ? null : row(t("minutes_verify.signing_time"), vietnamTime(s.signing_time)),
      row(t("minutes_verify.timestamp_time"), vietnamTime(s.timestamp_time)),
      row(t("minutes_verify.integrity"), t(`minutes.report.${s.integrity}`), s.integrity === "intact"),
      row(t("minutes_verify.chain"), chainText(s.chain), s.chain === "trusted"),
      row(t("minutes_verify.revocation"), t(`minutes.report.${s.revocation}`),
        s.revocation === "revoked" ? false : s.revocation === "good" ? true : undefined),
      s.coverage ? row(t("minutes_verify.coverage"), t(`minutes.report.${s.coverage}`),
        s.coverage === "whole_file" ? true : undefined) : null,
      row(t("minutes_verify.change"), change, s.change_allowed !== false),
      ...longTermRows(s)));
}

function showReport(file, answer) {
  const result = answer.report ?? answer;
  const signatures = result.signatures ?? [];
  const missing = result.missing ?? [];
  const standing = result.standing;
  report.querySelector("[data-report-title]").textContent = t("minutes_verify.report_title", { name: file.name });
  const verdict = report.querySelector("[data-verdict]");
  verdict.className = `verdict verdict--${standing === "invalid" ? "bad" : "ok"}`;
  verdict.dataset.valid = result.valid ? "yes" : "no";
  verdict.dataset.standing = standing;
  verdict.textContent = result.verdict;  // in the reader's language, from the server
  const checked = report.querySelector("[data-checked-at]");
  checked.hidden = !result.checked_at;
  checked.textContent = result.checked_at
    ? t("minutes_verify.long_term.checked_at", { time: vietnamTime(result.checked_at) }) : "";
  report.querySelector("[data-simulated]").hidden = !result.simulated;
  const missingLine = report.querySelector("[data-missing]");
  missingLine.hidden = missing.length === 0;
  missingLine.textContent = missing.length
    ? t("minutes.report.missing", { names: missing.map(signerName).join(", ") }) : "";
  report.querySelector("[data-signatures]").replaceChildren(...signatures.map(signatureItem));
  report.hidden = false;
  say.ok(t("minutes_verify.done", { count: signatures.length }));
  verdict.focus();
}

async function verify(file) {
  report.hidden = true;
  say.ok(t("minutes_verify.checking", { name: file.name }));
  let response;
  try {
    // The bytes as they are: the server reads what the file is, whatever its name says.
    response = await fetch("/api/v1/minutes/verify", {
      method: "POST", body: file, credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/pdf",
        "X-CSRF-Token": csrfToken() },
    });
  } catch {
    say.fail(t("meeting_pages.network_error"));
    return;
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok || !answer) {
    say.fail(answer?.error?.message ?? t("meeting_pages.network_error"));
    return;
  }
  showReport(file, answer);
}

input.addEventListener("change", () => {
  if (input.files.length) verify(input.files[0]);
});

for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add("dropzone--over");
  });
}
for (const type of ["dragleave", "dragend"]) {
  drop.addEventListener(type, () => drop.classList.remove("dropzone--over"));
}
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("dropzone--over");
  const file = event.dataTransfer?.files?.[0];
  if (file) verify(file);
});
