// The case file: the case, its survivor's file and documents, notes,
// milestones, follow-ups, the case's documents, consents, referrals and who
// can see it and why. Eleven API calls
// to draw it, whatever it holds; every change sends If-Match, and a 412 offers a reload instead of
// overwriting.
"use strict";

import * as api from "../api.js";
import { date, dateTime, t, terms, today, word } from "../i18n.js";
import { again, go, screen } from "../nav.js";
import { el, field, personName, show, showProblem, submitting, table } from "../ui.js";
import { attachmentsSection } from "./attachments.js";
import { milestonesSection } from "./milestones.js";
import { survivorSection } from "./survivor.js";

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
      api.get(`/cases/${caseId}/milestones/?page_size=100`),
      api.get(`/cases/${caseId}/follow-ups/?page_size=100`),
      api.get(`/cases/${caseId}/access/`),
      api.get(`/cases/${caseId}/consents/?page_size=100`),
      api.get(`/referrals/${api.query({ case: caseId, page_size: 100 })}`),
      api.get("/organisations/?active=true&page_size=200"),
      api.get(`/survivors/${kase.data.survivor}/attachments/?page_size=100`),
      api.get(`/cases/${caseId}/attachments/?page_size=100`),
    ]);
    answers.unshift(kase);
  } catch (error) {
    show(el("section", { class: "card" }, el("h1", { text: t("myCases") }), alert));
    return showProblem(error, alert);
  }
  const [kase, survivor, notes, milestones, followUps, access, consents, referrals, organisations, survivorFiles, caseFiles] = answers;
  const documents = [...survivorFiles.data.results, ...caseFiles.data.results];
  const partners = organisations.data.results.filter((organisation) => !organisation.is_home);
  const editable = kase.data.allowed_actions.includes("edit");
  const assign = kase.data.allowed_actions.includes("assign") ? await assignSection(kase) : null;
  const emergency = access.data.find((entry) => entry.reason === "break_glass" && entry.user && entry.user.id === me.id);
  show(
    emergency ? el("p", { class: "banner", role: "status", text: t("readOnlyBreakGlass", { until: dateTime(emergency.expires_at) }) }) : null,
    el("p", {}, el("button", { type: "button", class: "link", text: `← ${t("backToCases")}`, onclick: () => go("cases") })),
    summary(kase, survivor.data),
    assign,
    survivorSection(survivor, editable),
    attachmentsSection("survivor-docs", t("survivorDocuments"), `/survivors/${kase.data.survivor}/attachments/`,
      survivorFiles.data.results, editable),
    notesSection(caseId, notes.data.results, editable),
    milestonesSection(caseId, milestones.data.results, editable),
    followUpsSection(caseId, followUps.data.results, editable, people(access.data)),
    attachmentsSection("case-docs", t("caseDocuments"), `/cases/${caseId}/attachments/`, caseFiles.data.results, editable),
    consentsSection(caseId, consents.data.results, partners, editable),
    referralsSection(caseId, referrals.data.results, partners, editable, documents),
    accessSection(access.data),
  );
}

function summary(kase, survivor) {
  const data = kase.data;
  const name = survivor.erased ? t("erased") : [survivor.given_names, survivor.family_name].filter(Boolean).join(" ");
  const team = (me.teams || []).find((item) => item.id === data.team);
  const risk = el("select", { id: "f-risk_level", name: "risk_level", "aria-describedby": "f-risk_level-error" },
    ...terms("risk_level").map(([code, label]) => el("option", { value: code, text: label, selected: code === data.risk_level })));
  const form = el("form", { class: "inline" },
    el("label", { for: "f-risk_level", text: t("risk") }), risk,
    el("button", { type: "submit", text: t("save") }),
    el("p", { class: "field-error", id: "f-risk_level-error" }));
  submitting(form, async () => {
    await api.patch(`/cases/${data.id}`, { risk_level: risk.value }, kase.etag);
    await again();
  }, again);
  const allowed = data.allowed_actions;
  return el("section", { class: "card" },
    el("h1", { text: t("caseFile", { reference: data.reference }) }),
    el("dl", { class: "facts" },
      el("dt", { text: t("survivor") }), el("dd", { text: name }),
      el("dt", { text: t("status") }), el("dd", { text: word("case_status", data.status) }),
      el("dt", { text: t("trafficking") }), el("dd", { text: word("trafficking_status", data.trafficking_status) }),
      team ? el("dt", { text: t("team") }) : null, team ? el("dd", { text: team.name }) : null,
      el("dt", { text: t("opened") }), el("dd", { text: dateTime(data.opened_at) })),
    allowed.includes("edit") ? form : null,
    allowed.includes("close") ? closeForm(data.id, kase.etag) : null,
    allowed.includes("reopen") ? reopenForm(data.id, kase.etag) : null);
}

function closeForm(caseId, etag) {
  const reason = choice("closure_reason", t("closureReason"), terms("closure_reason"));
  const form = el("form", { class: "inline" }, ...reason.slice(0, 2), el("button", { type: "submit", text: t("closeCase") }), reason[2]);
  return submitting(form, async () => {
    await api.post(`/cases/${caseId}/close`, { closure_reason: reason[1].value }, etag);
    await again();
  }, again);
}

function reopenForm(caseId, etag) {
  const form = el("form", { class: "inline" }, el("button", { type: "submit", text: t("reopen") }));
  return submitting(form, async () => {
    await api.post(`/cases/${caseId}/reopen`, undefined, etag);
    await again();
  }, again);
}

/** Supervisors: who works on the case, chosen from the team's caseworkers (GET /colleagues/?team=). */
async function assignSection(kase) {
  const data = kase.data;
  const { data: people } = await api.get(`/colleagues/${api.query({ team: data.team, role: ["caseworker", "supervisor"], page_size: 200 })}`);
  const box = checkboxes("assignees", t("assignees"), people.results.map((person) =>
    [person.id, personName(person)]), data.assignees);
  const form = el("form", {}, box, el("button", { class: "primary", type: "submit", text: t("assign") }));
  submitting(form, async (values) => {
    await api.post(`/cases/${data.id}/assign`, { assignees: values.getAll("assignees") }, kase.etag);
    await again();
  }, again);
  return el("section", { class: "card", "aria-labelledby": "assign-title" }, el("h2", { id: "assign-title", text: t("assignees") }), form);
}

function notesSection(caseId, notes, editable) {
  const [label, body, error] = field("body", t("newNote"), { tag: "textarea", rows: "4", required: true, maxlength: "50000" });
  const form = el("form", {}, label, body, error, el("button", { class: "primary", type: "submit", text: t("addNote") }));
  submitting(form, async () => {
    await api.post(`/cases/${caseId}/notes/`, { body: body.value });
    await again();
  });
  const list = notes.length
    ? el("ol", { class: "notes" }, ...notes.map((note, index) => el("li", {},
      el("p", { class: "hint", text: dateTime(note.created_at) + (note.version > 1 ? ` · ${t("changed")} ${dateTime(note.updated_at)}` : "") }),
      el("p", { class: "note-body", text: note.body }),
      editable && note.author === me.id && note.body !== null ? noteEditor(caseId, note, index) : null)))
    : el("p", { text: t("noNotes") });
  return el("section", { class: "card", "aria-labelledby": "notes-title" }, el("h2", { id: "notes-title", text: t("notes") }), list,
    editable ? form : null);
}

/** The author's own note, changed in place (PATCH with If-Match; only the author may). */
function noteEditor(caseId, note, index) {
  const prefix = `note-${index}-`;
  const [label, body, error] = field("body", t("noteText"), { tag: "textarea", rows: "4", required: true, maxlength: "50000", prefix });
  body.value = note.body;
  const form = el("form", { "data-prefix": prefix }, label, body, error, el("button", { type: "submit", text: t("save") }));
  submitting(form, async () => {
    await api.patch(`/cases/${caseId}/notes/${note.id}`, { body: body.value }, api.etagOf(note));
    await again();
  }, again);
  return el("details", { class: "edit" }, el("summary", { text: t("editNote") }), form);
}

/** An open follow-up's due date, assignee (someone with access to the case) and description, changed (If-Match). */
function followUpEditor(caseId, item, index, people) {
  const prefix = `fu-${index}-`;
  const due = field("due_on", t("due"), { type: "date", required: true, value: item.due_on, prefix });
  const text = field("description", t("description"), { maxlength: "5000", value: item.description || "", prefix });
  const assignee = [el("label", { for: `f-${prefix}assignee`, text: t("assignee") }),
    el("select", { id: `f-${prefix}assignee`, name: "assignee", "aria-describedby": `f-${prefix}assignee-error` },
      ...people.map(([id, name]) => el("option", { value: id, text: name, selected: id === item.assignee }))),
    el("p", { class: "field-error", id: `f-${prefix}assignee-error` })];
  const form = el("form", { class: "grid", "data-prefix": prefix }, ...due, ...assignee, ...text, el("button", { type: "submit", text: t("save") }));
  submitting(form, async () => {
    await api.patch(`/cases/${caseId}/follow-ups/${item.id}`,
      { due_on: due[1].value, assignee: assignee[1].value, description: text[1].value }, api.etagOf(item));
    await again();
  }, again);
  return el("details", { class: "edit" }, el("summary", { text: t("changeFollowUp") }), form);
}

function followUpsSection(caseId, followUps, editable, people) {
  const rows = followUps.map((item, index) => {
    const alert = el("span", { class: "error", role: "alert" });
    const overdue = item.status === "open" && item.due_on < today();
    const action = item.status === "open" && editable
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
      word("follow_up_status", item.status),
      el("span", {}, action, alert, item.status === "open" && editable ? followUpEditor(caseId, item, index, people) : null),
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
    editable ? form : null);
}

const nameOf = (organisations, id) => (organisations.find((organisation) => organisation.id === id) || {}).name || "";

/** A labelled select: [label, select, error line]; `id` when two forms on the screen share a field name. */
function choice(name, label, options, id = name) {
  return [el("label", { for: `f-${id}`, text: label }),
    el("select", { id: `f-${id}`, name, "aria-describedby": `f-${id}-error` },
      ...options.map(([value, text]) => el("option", { value, text }))),
    el("p", { class: "field-error", id: `f-${id}-error` })];
}

function checkboxes(name, legend, options, checked = []) {
  return el("fieldset", { id: `f-${name}` }, el("legend", { text: legend }),
    ...options.map(([value, text]) => el("label", { class: "check" },
      el("input", { type: "checkbox", name, value, checked: checked.includes(value) }), ` ${text}`)),
    el("p", { class: "field-error", id: `f-${name}-error` }));
}

function consentsSection(caseId, consents, partners, editable) {
  const rows = consents.map((consent) => {
    const alert = el("span", { class: "error", role: "alert" });
    const revoke = consent.is_live && editable
      ? el("button", { type: "button", text: t("revoke"), onclick: async () => {
        try {
          await api.post(`/cases/${caseId}/consents/${consent.id}/revoke`, undefined, api.etagOf(consent));
          await again();
        } catch (problem) {
          showProblem(problem, alert, null, again);
        }
      } })
      : null;
    return [
      word("consent_scope", consent.scope) + (consent.organisation ? ` — ${nameOf(partners, consent.organisation)}` : ""),
      `${word("consent_giver", consent.given_by)}, ${word("consent_method", consent.method)}`,
      dateTime(consent.given_at),
      consent.revoked_at ? `${t("revoked")} ${dateTime(consent.revoked_at)}` : consent.is_live ? t("live") : t("expired"),
      el("span", {}, revoke, alert),
    ];
  });
  const scope = choice("scope", t("consentScope"), terms("consent_scope"));
  const organisation = choice("organisation", t("refTo"), partners.map((item) => [item.id, item.name]), "consent_organisation");
  const given = choice("given_by", t("givenBy"), terms("consent_giver"));
  const method = choice("method", t("method"), terms("consent_method"));
  const when = field("given_at", t("givenAt"), { type: "date", required: true, value: today() });
  const showOrganisation = () => organisation.slice(0, 2).forEach((node) => { node.hidden = scope[1].value !== "referral"; });
  scope[1].addEventListener("change", showOrganisation);
  showOrganisation();
  const form = el("form", { class: "grid" }, ...scope, ...organisation, ...given, ...method, ...when,
    el("button", { class: "primary", type: "submit", text: t("recordConsent") }));
  submitting(form, async () => {
    await api.post(`/cases/${caseId}/consents/`, {
      scope: scope[1].value,
      organisation: scope[1].value === "referral" ? organisation[1].value : null,
      given_by: given[1].value,
      method: method[1].value,
      // today: now (noon could still be to come, and a consent cannot be given in the future); another day: its noon
      given_at: (when[1].value === today() ? new Date() : new Date(`${when[1].value}T12:00:00`)).toISOString(),
    });
    await again();
  });
  return el("section", { class: "card", "aria-labelledby": "consents-title" },
    el("h2", { id: "consents-title", text: t("consents") }),
    rows.length ? table("consents-title", [t("consentScope"), t("givenBy"), t("givenAt"), t("status"), ""], rows) : el("p", { text: t("noConsents") }),
    editable ? form : null);
}

function referralsSection(caseId, referrals, partners, editable, documents) {
  const rows = referrals.map((row) => [
    el("button", { type: "button", class: "link", text: row.reference, onclick: () => go("referral", row.id) }),
    row.organisation_name,
    word("referral_status", row.status),
    row.services.map((code) => word("service", code)).join(", "),
  ]);
  const organisation = choice("organisation", t("refTo"), partners.map((item) => [item.id, item.name]), "referral_organisation");
  const services = checkboxes("services", t("services"), terms("service"));
  const urgency = choice("urgency", t("urgency"), terms("urgency"));
  urgency[1].value = "routine";
  const reason = field("reason", t("reason"), { tag: "textarea", rows: "3", maxlength: "5000", required: true });
  const needs = field("needs", t("needs"), { tag: "textarea", rows: "2", maxlength: "5000" });
  // documents are shared by choosing them below (the documents group follows)
  const shared = checkboxes("shared_groups", t("shareGroups"), terms("field_group").filter(([code]) => code !== "documents"), ["needs"]);
  const files = documents.length
    ? checkboxes("shared_attachments", t("documentsToShare"), documents.map((row) => [row.id, `${row.name} (${word("attachment_category", row.category)})`]))
    : null;
  const form = el("form", {}, el("h3", { text: t("newReferral") }), ...organisation, services, ...urgency, ...reason, ...needs, shared,
    files, el("p", { class: "hint", text: t("shareHint") }),
    el("button", { class: "primary", type: "submit", text: t("createReferral") }));
  submitting(form, async (values) => {
    const answer = await api.post("/referrals/", {
      case: caseId,
      organisation: organisation[1].value,
      services: values.getAll("services"),
      urgency: urgency[1].value,
      reason: reason[1].value,
      needs: needs[1].value,
      shared_groups: [...values.getAll("shared_groups"), ...(values.getAll("shared_attachments").length ? ["documents"] : [])],
      shared_attachments: values.getAll("shared_attachments"),
    });
    await go("referral", answer.data.id);
  });
  return el("section", { class: "card", "aria-labelledby": "case-referrals-title" },
    el("h2", { id: "case-referrals-title", text: t("navReferrals") }),
    rows.length ? table("case-referrals-title", [t("reference"), t("refTo"), t("status"), t("services")], rows) : el("p", { text: t("noReferrals") }),
    editable ? form : null);
}

/** The people who hold access to the case (the access list's users), as [id, name] for the assignee choice. */
function people(entries) {
  const seen = new Map();
  for (const entry of entries) {
    if (entry.user && !seen.has(entry.user.id)) {
      seen.set(entry.user.id, personName(entry.user));
    }
  }
  return [...seen.entries()];
}

function accessSection(entries) {
  const rows = entries.map((entry) => [
    entry.user ? personName(entry.user) : entry.group || "",
    word("grant_reason", entry.reason) + (entry.referral ? ` (${entry.referral})` : ""),
    entry.expires_at ? dateTime(entry.expires_at) : "",
  ]);
  return el("section", { class: "card", "aria-labelledby": "access-title" },
    el("h2", { id: "access-title", text: t("access") }),
    rows.length ? table("access-title", [t("holder"), t("why"), t("until")], rows) : el("p", { text: t("noAccess") }));
}

screen("case", caseScreen);
