// The case file: the case, its survivor, notes, follow-ups and who can see
// it and why. Five API calls to draw it, whatever it holds; every change
// sends If-Match, and a 412 offers a reload instead of overwriting.
"use strict";

import * as api from "../api.js";
import { date, dateTime, t, today, word } from "../i18n.js";
import { again, go, screen } from "../nav.js";
import { el, field, show, showProblem, submitting, table } from "../ui.js";

let me = null;

/** The signed-in person (GET /me), for the follow-up's assignee and team names. */
export function setMe(person) {
  me = person;
}

async function caseScreen(caseId) {
  const alert = el("p", { class: "error", role: "alert" });
  let answers;
  try {
    const kase = await api.get(`/cases/${caseId}`);
    answers = await Promise.all([
      api.get(`/survivors/${kase.data.survivor}`),
      api.get(`/cases/${caseId}/notes/?page_size=100`),
      api.get(`/cases/${caseId}/follow-ups/?page_size=100`),
      api.get(`/cases/${caseId}/access/`),
    ]);
    answers.unshift(kase);
  } catch (error) {
    show(el("section", { class: "card" }, el("h1", { text: t("myCases") }), alert));
    return showProblem(error, alert);
  }
  const [kase, survivor, notes, followUps, access] = answers;
  show(
    el("p", {}, el("button", { type: "button", class: "link", text: `← ${t("backToCases")}`, onclick: () => go("cases") })),
    summary(kase, survivor.data),
    notesSection(caseId, notes.data.results),
    followUpsSection(caseId, followUps.data.results),
    accessSection(access.data),
  );
}

function summary(kase, survivor) {
  const data = kase.data;
  const name = survivor.erased ? t("erased") : [survivor.given_names, survivor.family_name].filter(Boolean).join(" ");
  const team = (me.teams || []).find((item) => item.id === data.team);
  const risk = el("select", { id: "f-risk_level", name: "risk_level", "aria-describedby": "f-risk_level-error" },
    ...["high", "medium", "low"].map((code) => el("option", { value: code, text: word(code), selected: code === data.risk_level })));
  const form = el("form", { class: "inline" },
    el("label", { for: "f-risk_level", text: t("risk") }), risk,
    el("button", { type: "submit", text: t("save") }),
    el("p", { class: "field-error", id: "f-risk_level-error" }));
  submitting(form, async () => {
    await api.patch(`/cases/${data.id}`, { risk_level: risk.value }, kase.etag);
    await again();
  }, again);
  return el("section", { class: "card" },
    el("h1", { text: t("caseFile", { reference: data.reference }) }),
    el("dl", { class: "facts" },
      el("dt", { text: t("survivor") }), el("dd", { text: name }),
      el("dt", { text: t("status") }), el("dd", { text: word(data.status) }),
      el("dt", { text: t("trafficking") }), el("dd", { text: word(data.trafficking_status) }),
      el("dt", { text: t("team") }), el("dd", { text: team ? team.name : "" }),
      el("dt", { text: t("opened") }), el("dd", { text: dateTime(data.opened_at) })),
    form);
}

function notesSection(caseId, notes) {
  const [label, body, error] = field("body", t("newNote"), { tag: "textarea", rows: "4", required: true, maxlength: "50000" });
  const form = el("form", {}, label, body, error, el("button", { class: "primary", type: "submit", text: t("addNote") }));
  submitting(form, async () => {
    await api.post(`/cases/${caseId}/notes/`, { body: body.value });
    await again();
  });
  const list = notes.length
    ? el("ol", { class: "notes" }, ...notes.map((note) => el("li", {},
      el("p", { class: "hint", text: dateTime(note.created_at) }), el("p", { class: "note-body", text: note.body }))))
    : el("p", { text: t("noNotes") });
  return el("section", { class: "card", "aria-labelledby": "notes-title" }, el("h2", { id: "notes-title", text: t("notes") }), list, form);
}

function followUpsSection(caseId, followUps) {
  const rows = followUps.map((item) => {
    const alert = el("span", { class: "error", role: "alert" });
    const overdue = item.status === "open" && item.due_on < today();
    const action = item.status === "open"
      ? el("button", { type: "button", text: t("complete"), onclick: async () => {
        try {
          await api.patch(`/cases/${caseId}/follow-ups/${item.id}`, { status: "done" }, api.etagOf(item));
          await again();
        } catch (problem) {
          showProblem(problem, alert, null, again);
        }
      } })
      : null;
    return [
      el("span", {}, date(item.due_on), overdue ? el("strong", { class: "overdue", text: ` ${t("overdue")}` }) : null),
      item.description || "",
      word(item.status),
      el("span", {}, action, alert),
    ];
  });
  const [dueLabel, due, dueError] = field("due_on", t("due"), { type: "date", required: true });
  const [textLabel, text, textError] = field("description", t("description"), { maxlength: "5000" });
  const form = el("form", { class: "grid" }, dueLabel, due, dueError, textLabel, text, textError,
    el("button", { class: "primary", type: "submit", text: t("addFollowUp") }));
  submitting(form, async () => {
    await api.post(`/cases/${caseId}/follow-ups/`, { due_on: due.value, assignee: me.id, description: text.value });
    await again();
  });
  return el("section", { class: "card", "aria-labelledby": "follow-ups-title" },
    el("h2", { id: "follow-ups-title", text: t("followUps") }),
    rows.length ? table("follow-ups-title", [t("due"), t("description"), t("status"), ""], rows) : el("p", { text: t("noFollowUps") }),
    form);
}

function accessSection(entries) {
  const rows = entries.map((entry) => [
    entry.user ? [entry.user.first_name, entry.user.last_name].filter(Boolean).join(" ") || entry.user.username : entry.group || "",
    word(entry.reason) + (entry.referral ? ` (${entry.referral})` : ""),
    entry.expires_at ? dateTime(entry.expires_at) : "",
  ]);
  return el("section", { class: "card", "aria-labelledby": "access-title" },
    el("h2", { id: "access-title", text: t("access") }),
    rows.length ? table("access-title", [t("holder"), t("reason"), t("until")], rows) : el("p", { text: t("noAccess") }));
}

screen("case", caseScreen);
