// Escalations, for supervisors: what the reminders escalate to them, in one
// place — the team's overdue follow-ups, whoever they are assigned to, and
// referrals sent from the team's cases that are still without an answer,
// oldest first. Three API calls whatever the lists hold.
"use strict";

import * as api from "../api.js";
import { date, dateTime, dayNumber, t, today, word } from "../i18n.js";
import { go, screen } from "../nav.js";
import { el, personName, show, showProblem, table } from "../ui.js";


async function escalationsScreen() {
  const alert = el("p", { class: "error", role: "alert" });
  const followUps = el("section", { class: "card", "aria-labelledby": "esc-follow-ups" },
    el("h1", { id: "esc-follow-ups", text: t("escalations") }), el("h2", { id: "esc-follow-ups-title", text: t("teamOverdue") }), alert);
  const referrals = el("section", { class: "card", "aria-labelledby": "esc-referrals-title" },
    el("h2", { id: "esc-referrals-title", text: t("unanswered") }));
  show(followUps, referrals);
  try {
    const [late, waiting, people] = await Promise.all([
      api.get(`/follow-ups/${api.query({ when: "overdue", assignee: "anyone", page_size: 100 })}`),
      api.get(`/referrals/${api.query({ direction: "sent", status: "sent", page_size: 100 })}`),
      api.get(`/colleagues/${api.query({ role: ["caseworker", "supervisor"], page_size: 200 })}`),
    ]);
    const names = new Map(people.data.results.map((person) => [person.id, personName(person)]));
    const now = dayNumber(today());
    const lateRows = late.data.results.map((item) => [
      el("button", { type: "button", class: "link", text: item.case_reference, onclick: () => go("case", item.case) }),
      el("span", {}, date(item.due_on), el("strong", { class: "overdue", text: ` ${t("daysLate", { days: now - dayNumber(item.due_on) })}` })),
      names.get(item.assignee) || "",
      item.description || "",
    ]);
    followUps.append(lateRows.length
      ? table("esc-follow-ups-title", [t("caseCol"), t("due"), t("assignee"), t("description")], lateRows)
      : el("p", { text: t("noTeamOverdue") }));
    const rows = [...waiting.data.results].sort((a, b) => (a.sent_at || "").localeCompare(b.sent_at || "")).map((row) => [
      el("button", { type: "button", class: "link", text: row.reference, onclick: () => go("referral", row.id) }),
      row.case_reference || "",
      row.organisation_name,
      word("urgency", row.urgency),
      el("span", {}, dateTime(row.sent_at), " ",
        el("strong", { class: "overdue", text: t("daysWaiting", { days: Math.floor((Date.now() - Date.parse(row.sent_at)) / 86400000) }) })),
    ]);
    referrals.append(rows.length
      ? table("esc-referrals-title", [t("reference"), t("caseCol"), t("refTo"), t("urgency"), t("sent")], rows)
      : el("p", { text: t("noUnanswered") }));
  } catch (error) {
    showProblem(error, alert);
  }
}

screen("escalations", escalationsScreen);
