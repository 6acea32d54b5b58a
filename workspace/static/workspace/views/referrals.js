// Referrals: the list (sent from my cases, received by my desk, assigned to
// me), and one referral with what its side may see and the actions the API
// says this person may take now (`allowed_actions`). Recipients see only the
// groups the sender shared (`shared`); the workspace shows what it is given.
"use strict";

import * as api from "../api.js";
import { date, dateTime, t, terms, word } from "../i18n.js";
import { again, go, screen } from "../nav.js";
import { el, field, personName, show, showProblem, submitting, table } from "../ui.js";
import { downloadLink, size } from "./attachments.js";

const FILTERS = [["", "refAll"], ["received", "refReceived"], ["sent", "refSent"], ["me", "refAwaiting"]];

async function referralsScreen(filter = "") {
  const picker = el("div", { class: "segmented", role: "group", "aria-label": t("navReferrals") },
    ...FILTERS.map(([value, key]) => el("button", { type: "button", text: t(key), "aria-pressed": String(value === filter),
      onclick: () => go("referrals", value) })));
  const alert = el("p", { class: "error", role: "alert" });
  const section = el("section", { class: "card" }, el("h1", { id: "referrals-title", text: t("navReferrals") }), picker, alert);
  show(section);
  const query = filter === "me" ? { awaiting: "me" } : { direction: filter || undefined };
  try {
    const { data } = await api.get(`/referrals/${api.query({ page_size: 100, ...query })}`);
    const rows = data.results.map((row) => [
      el("button", { type: "button", class: "link", text: row.reference, onclick: () => go("referral", row.id) }),
      row.organisation_name,
      word("referral_status", row.status),
      word("urgency", row.urgency),
      row.services.map((code) => word("service", code)).join(", "),
      row.sent_at ? dateTime(row.sent_at) : "",
    ]);
    section.append(rows.length
      ? table("referrals-title", [t("reference"), t("refTo"), t("status"), t("urgency"), t("services"), t("sent")], rows)
      : el("p", { text: t("noReferrals") }));
  } catch (error) {
    showProblem(error, alert);
  }
}

// Shared fields whose values are codes of a code list, or calendar dates.
const FIELD_VOCABULARY = {
  gender: "gender", age_band: "age_band", migration_status: "migration_status", risk_level: "risk_level",
  trafficking_status: "trafficking_status", exploitation_types: "exploitation_type",
  sexual_exploitation_types: "sexual_exploitation_type", means_of_control: "means_of_control",
  recruitment_methods: "recruitment_method",
};

function shownField(name, value) {
  if (FIELD_VOCABULARY[name] && value) return [].concat(value).map((code) => word(FIELD_VOCABULARY[name], code)).join("; ");
  if (name === "date_of_birth" && value) return date(value);
  return shown(value);
}

function shown(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(shown).join("; ") : "—";
  if (typeof value === "object") return Object.values(value).filter((item) => item !== null && item !== "").map(shown).join(", ");
  return String(value);
}

function sharedSection(referral) {
  const groups = Object.entries(referral.shared || {});
  if (!groups.length && referral.reason === null) return el("p", { class: "hint", text: t("nothingShared") });
  return el("div", {},
    referral.reason !== null ? el("div", {}, el("h3", { text: word("field_group", "reason") }), el("p", { class: "note-body", text: referral.reason })) : null,
    ...groups.filter(([group]) => group === "documents").map(([, fields]) => el("div", {},
      el("h3", { text: t("sharedDocuments") }),
      (fields.shared_attachments || []).length
        ? el("ul", {}, ...fields.shared_attachments.map((doc) => el("li", {},
          downloadLink(`/api/v1/referrals/${referral.id}/attachments/${doc.id}/content`, doc.name),
          ` — ${word("attachment_category", doc.category)}, ${size(doc.size)}`)))
        : el("p", { text: t("noDocuments") }))),
    ...groups.filter(([group]) => group !== "reason" && group !== "documents").map(([group, fields]) => el("div", {},
      el("h3", { text: word("field_group", group) }),
      el("dl", { class: "facts" }, ...Object.entries(fields).flatMap(([name, value]) =>
        [el("dt", { text: word("shared_field", name) }), el("dd", { text: shownField(name, value) })])))));
}

/** A form for one action: the API's own fields (a reason list, notes), If-Match from the detail's ETag. */
function actionForm(referral, etag, action, fields = [], endpoint = action) {
  const form = el("form", { class: "action card" }, el("h3", { text: t(`act_${action}`) }), ...fields.flat(),
    el("button", { class: "primary", type: "submit", text: t(`act_${action}`) }));
  return submitting(form, async (values) => {
    const body = Object.fromEntries([...values.entries()].filter(([, value]) => value !== ""));
    await api.post(`/referrals/${referral.id}/${endpoint}`, body, etag);
    await again();
  }, again);
}

/** A labelled select of a code list (or of [value, text] options): [label, select, error line]. */
function select(name, label, vocabulary, options = null, id = name) {
  return [el("label", { for: `f-${id}`, text: label }),
    el("select", { id: `f-${id}`, name, "aria-describedby": `f-${id}-error` },
      ...(options || terms(vocabulary)).map(([code, text]) => el("option", { value: code, text }))),
    el("p", { class: "field-error", id: `f-${id}-error` })];
}

const notes = () => field("notes", t("notesField"), { tag: "textarea", rows: "2", maxlength: "5000" });

async function actions(referral, etag, names) {
  const allowed = referral.allowed_actions;
  const forms = [];
  for (const simple of ["send", "accept", "start"]) {
    if (allowed.includes(simple)) forms.push(actionForm(referral, etag, simple));
  }
  if (allowed.includes("send_with_override")) {
    const why = field("override_reason", t("overrideReason"), { tag: "textarea", rows: "2", maxlength: "1000", required: true });
    forms.push(actionForm(referral, etag, "send_with_override", [el("p", { class: "warning", text: t("overrideWarning") }), why], "send"));
  }
  if (allowed.includes("decline")) forms.push(actionForm(referral, etag, "decline", [select("decline_reason", t("reason"), "decline_reason"), notes()]));
  if (allowed.includes("complete")) forms.push(actionForm(referral, etag, "complete", [select("outcome", t("outcome"), "outcome"), notes()]));
  if (allowed.includes("withdraw")) forms.push(actionForm(referral, etag, "withdraw", [select("withdraw_reason", t("reason"), "withdraw_reason"), notes()]));
  if (allowed.includes("assign")) {
    const { data } = await api.get("/colleagues/?page_size=200");
    const people = data.results.map((person) => [person.id, personName(person)]);
    people.forEach(([id, name]) => names.set(id, name));
    forms.push(actionForm(referral, etag, "assign", [select("assignee", t("assignee"), null, people)]));
  }
  return forms;
}

async function deliveriesSection(referral) {
  if (!["accepted", "in_progress", "completed"].includes(referral.status)) return null;
  const { data } = await api.get(`/referrals/${referral.id}/deliveries/?page_size=100`);
  const rows = data.results.map((item) => [word("service", item.service), date(item.started_on), date(item.ended_on), word("outcome", item.outcome)]);
  const section = el("section", { class: "card", "aria-labelledby": "deliveries-title" },
    el("h2", { id: "deliveries-title", text: t("deliveries") }),
    rows.length ? table("deliveries-title", [t("services"), t("started"), t("ended"), t("outcome")], rows) : el("p", { text: t("noDeliveries") }));
  if (referral.allowed_actions.includes("record_delivery")) {
    const service = select("service", t("services"), null, referral.services.map((code) => [code, word("service", code)]), "delivery_service");
    const started = field("started_on", t("started"), { type: "date", required: true });
    const outcome = select("outcome", t("outcome"), null, [["", "—"], ...terms("outcome")], "delivery_outcome");
    const form = el("form", {}, ...service, ...started, ...outcome, el("button", { class: "primary", type: "submit", text: t("recordDelivery") }));
    section.append(submitting(form, async (values) => {
      const body = Object.fromEntries([...values.entries()].filter(([, value]) => value !== ""));
      await api.post(`/referrals/${referral.id}/deliveries/`, body);
      await again();
    }));
  }
  return section;
}

async function referralScreen(referralId) {
  const alert = el("p", { class: "error", role: "alert" });
  let answer;
  try {
    answer = await api.get(`/referrals/${referralId}`);
  } catch (error) {
    show(el("section", { class: "card" }, el("h1", { text: t("navReferrals") }), alert));
    return showProblem(error, alert);
  }
  const referral = answer.data;
  const facts = [
    [t("refFrom"), referral.sender_organisation_name], [t("refTo"), referral.organisation_name],
    [t("status"), word("referral_status", referral.status)], [t("urgency"), word("urgency", referral.urgency)],
    [t("services"), referral.services.map((code) => word("service", code)).join(", ")],
    [t("sent"), referral.sent_at ? dateTime(referral.sent_at) : "—"],
  ];
  if (referral.case_reference) facts.push([t("caseCol"), referral.case_reference]);
  if (referral.decline_reason) facts.push([t("reason"), word("decline_reason", referral.decline_reason)]);
  if (referral.outcome) facts.push([t("outcome"), word("outcome", referral.outcome)]);
  const names = new Map(); // colleagues' names, known when this person may assign
  const [forms, deliveries] = await Promise.all([actions(referral, answer.etag, names), deliveriesSection(referral)]);
  if (referral.assigned_to && names.has(referral.assigned_to)) facts.push([t("assignedTo"), names.get(referral.assigned_to)]);
  show(
    el("p", {}, el("button", { type: "button", class: "link", text: `← ${t("navReferrals")}`, onclick: () => go("referrals") })),
    el("section", { class: "card" },
      el("h1", { text: t("referralTitle", { reference: referral.reference }) }),
      referral.consent_lapsed ? el("p", { class: "warning", role: "status", text: t("consentLapsed") }) : null,
      el("dl", { class: "facts" }, ...facts.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", { text: value })])),
      referral.case ? el("button", { type: "button", class: "link", text: t("openCaseFile"), onclick: () => go("case", referral.case) }) : null),
    el("section", { class: "card", "aria-labelledby": "shared-title" }, el("h2", { id: "shared-title", text: t("shared") }), sharedSection(referral)),
    ...forms,
    deliveries,
  );
}

screen("referrals", referralsScreen);
screen("referral", referralScreen);
