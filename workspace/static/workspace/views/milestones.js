// Milestones on the case file: the reasonable and conclusive grounds
// decisions, the recovery and reflection period, support plan items. Record
// one; record a pending decision's outcome; mark one complete (If-Match).
"use strict";

import * as api from "../api.js";
import { date, t, terms, today, word } from "../i18n.js";
import { again } from "../nav.js";
import { el, field, showProblem, submitting, table } from "../ui.js";

const DECISIONS = ["reasonable_grounds", "conclusive_grounds"];

async function change(caseId, milestone, body, alert) {
  try {
    await api.patch(`/cases/${caseId}/milestones/${milestone.id}`, body, api.etagOf(milestone));
    await again();
  } catch (problem) {
    showProblem(problem, alert, null, again);
  }
}

/** What can be done to one milestone: decide a pending decision, or mark the rest complete. */
function actions(caseId, milestone) {
  const alert = el("span", { class: "error", role: "alert" });
  if (milestone.completed_on) return el("span", {}, alert);
  if (DECISIONS.includes(milestone.kind) && milestone.decision === "pending") {
    const id = `decide-${milestone.id}`;
    const outcome = el("select", { id, "aria-label": t("decision") },
      ...terms("decision").filter(([code]) => code !== "pending").map(([code, label]) => el("option", { value: code, text: label })));
    return el("span", { class: "row-actions" }, outcome,
      el("button", { type: "button", text: t("recordDecision"),
        onclick: () => change(caseId, milestone, { decision: outcome.value, completed_on: today() }, alert) }), alert);
  }
  return el("span", {}, el("button", { type: "button", text: t("markComplete"),
    onclick: () => change(caseId, milestone, { completed_on: today() }, alert) }), alert);
}

function recordForm(caseId) {
  const select = (name, label, vocabulary) => [el("label", { for: `f-m-${name}`, text: label }),
    el("select", { id: `f-m-${name}`, name, "aria-describedby": `f-m-${name}-error` },
      ...terms(vocabulary).map(([code, words]) => el("option", { value: code, text: words }))),
    el("p", { class: "field-error", id: `f-m-${name}-error` })];
  const kind = select("kind", t("milestoneKind"), "milestone_kind");
  const decision = select("decision", t("decision"), "decision");
  const body = field("deciding_body", t("decidingBody"), { maxlength: "200", autocomplete: "off", prefix: "m-" });
  const starts = field("starts_on", t("startsOn"), { type: "date", required: true, value: today(), prefix: "m-" });
  const ends = field("ends_on", t("endsOn"), { type: "date", prefix: "m-" });
  const text = field("description", t("details"), { tag: "textarea", rows: "2", maxlength: "5000", prefix: "m-" });
  const hint = el("p", { class: "hint" });
  const fit = () => {
    const decides = DECISIONS.includes(kind[1].value);
    [...decision, ...body].forEach((node) => { node.hidden = !decides; });
    hint.textContent = kind[1].value === "recovery_period" ? t("recoveryHint") : "";
  };
  kind[1].addEventListener("change", fit);
  fit();
  const form = el("form", { class: "grid", novalidate: true, "data-prefix": "m-" }, el("h3", { text: t("newMilestone") }),
    ...kind, ...decision, ...body, ...starts, ...ends, hint, ...text,
    el("button", { class: "primary", type: "submit", text: t("recordMilestone") }));
  return submitting(form, async () => {
    const decides = DECISIONS.includes(kind[1].value);
    await api.post(`/cases/${caseId}/milestones/`, {
      kind: kind[1].value,
      decision: decides ? decision[1].value : "",
      deciding_body: decides ? body[1].value.trim() : "",
      starts_on: starts[1].value,
      ends_on: ends[1].value || null,
      description: text[1].value,
    });
    await again();
  });
}

export function milestonesSection(caseId, milestones, editable) {
  const rows = milestones.map((item) => [
    word("milestone_kind", item.kind) + (item.decision ? ` — ${word("decision", item.decision)}` : ""),
    item.deciding_body || "",
    `${date(item.starts_on)}${item.ends_on ? ` – ${date(item.ends_on)}` : ""}`,
    item.completed_on ? date(item.completed_on) : "",
    item.description || "",
    editable ? actions(caseId, item) : "",
  ]);
  return el("section", { class: "card", "aria-labelledby": "milestones-title" },
    el("h2", { id: "milestones-title", text: t("milestones") }),
    rows.length
      ? table("milestones-title", [t("milestoneKind"), t("decidingBody"), t("period"), t("completedOn"), t("details"), ""], rows)
      : el("p", { text: t("noMilestones") }),
    editable ? recordForm(caseId) : null);
}
