// The survivor's file on the case screen: identity, contact details and
// identity documents with expiry warnings; editing sends If-Match with the
// survivor's ETag (GET /survivors/{id}), like every other change.
"use strict";

import * as api from "../api.js";
import { date, dayNumber, t, terms, today, word } from "../i18n.js";
import { again } from "../nav.js";
import { codeList, el, field, submitting, table } from "../ui.js";

/** Days a document has left before it expires, from which the file warns. */
export const EXPIRY_WARNING_DAYS = 90;

/** An expiry date with its warning: expired, or expiring within EXPIRY_WARNING_DAYS of today (the person's zone). */
function expiry(value) {
  if (!value) return "";
  const left = dayNumber(value) - dayNumber(today());
  if (left < 0) return el("span", { class: "doc-expired" }, `${date(value)} — ${t("docExpired")}`);
  if (left <= EXPIRY_WARNING_DAYS) return el("span", { class: "doc-warning" }, `${date(value)} — ${t("docExpiresIn", { days: left })}`);
  return date(value);
}

const joined = (items) => (items || []).join(", ");

function facts(data) {
  const rows = [
    [t("givenNames"), data.given_names], [t("middleNames"), data.middle_names], [t("familyName"), data.family_name],
    [t("aliases"), joined(data.aliases)], [t("dateOfBirth"), date(data.date_of_birth)], [t("placeOfBirth"), data.place_of_birth],
    [t("gender"), word("gender", data.gender)], [t("ageBand"), word("age_band", data.age_band)],
    [t("citizenshipsShort"), joined(data.citizenships)], [t("languagesShort"), joined(data.languages)],
    [t("migrationStatus"), word("migration_status", data.migration_status)],
    [t("phone"), data.phone], [t("email"), data.email], [t("address"), data.address],
  ].filter(([, value]) => value);
  return el("dl", { class: "facts" }, ...rows.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", { text: value })]));
}

function documentsTable(documents) {
  if (!documents || !documents.length) return el("p", { text: t("noDocuments") });
  return table("documents-title", [t("docType"), t("docNumber"), t("docCountry"), t("docExpiry")],
    documents.map((doc) => [word("identity_document_type", doc.type), doc.number, doc.issuing_country || "", expiry(doc.expiry)]));
}

/** One editable document row; its ids follow its place in the list (the API's errors name identity_documents.N.field). */
function documentRow(doc) {
  const type = el("select", { name: "type" }, ...terms("identity_document_type").map(([code, label]) =>
    el("option", { value: code, text: label, selected: code === doc.type })));
  const number = el("input", { name: "number", value: doc.number || "", maxlength: "64", autocomplete: "off" });
  const country = el("input", { name: "issuing_country", value: doc.issuing_country || "", maxlength: "3", autocomplete: "off" });
  const ends = el("input", { name: "expiry", type: "date", value: doc.expiry || "" });
  const inputs = { type, number, issuing_country: country, expiry: ends };
  const labels = { type: t("docType"), number: t("docNumber"), issuing_country: t("docCountry"), expiry: t("docExpiry") };
  const row = el("fieldset", { class: "doc-row" }, el("legend", {}));
  for (const [name, input] of Object.entries(inputs)) {
    row.append(el("label", { "data-for": name, text: labels[name] }), input, el("p", { class: "field-error", "data-error": name }));
  }
  row.append(el("button", { type: "button", text: t("docRemove"), onclick: () => {
    const rows = row.parentElement;
    row.remove();
    renumber(rows);
  } }));
  row.inputs = inputs;
  return row;
}

function renumber(rows) {
  [...rows.children].forEach((row, index) => {
    row.querySelector("legend").textContent = t("docNumbered", { n: index + 1 });
    for (const [name, input] of Object.entries(row.inputs)) {
      const id = `f-identity_documents.${index}.${name}`;
      input.id = id;
      input.setAttribute("aria-describedby", `${id}-error`);
      row.querySelector(`[data-for="${name}"]`).setAttribute("for", id);
      row.querySelector(`[data-error="${name}"]`).id = `${id}-error`;
    }
  });
}

function editForm(survivor) {
  const data = survivor.data;
  const text = (name, label, value, extra = {}) => field(name, label, { value: value || "", maxlength: "200", autocomplete: "off", ...extra });
  const inputs = {
    given_names: text("given_names", t("givenNames"), data.given_names),
    middle_names: text("middle_names", t("middleNames"), data.middle_names),
    family_name: text("family_name", t("familyName"), data.family_name),
    aliases: text("aliases", t("aliasesHint"), joined(data.aliases), { maxlength: "2000" }),
    date_of_birth: field("date_of_birth", t("dateOfBirth"), { type: "date", value: data.date_of_birth || "" }),
    place_of_birth: text("place_of_birth", t("placeOfBirth"), data.place_of_birth),
    phone: text("phone", t("phone"), data.phone, { maxlength: "40", type: "tel" }),
    email: text("email", t("email"), data.email, { maxlength: "254", type: "email" }),
    address: field("address", t("address"), { tag: "textarea", rows: "2", maxlength: "2000" }),
    citizenships: text("citizenships", t("citizenships"), joined(data.citizenships), { maxlength: "60" }),
    languages: text("languages", t("languages"), joined(data.languages), { maxlength: "60" }),
  };
  inputs.address[1].value = data.address || "";
  const select = (name, label, value) => [el("label", { for: `f-${name}`, text: label }),
    el("select", { id: `f-${name}`, name, "aria-describedby": `f-${name}-error` },
      ...terms(name).map(([code, words]) => el("option", { value: code, text: words, selected: code === value }))),
    el("p", { class: "field-error", id: `f-${name}-error` })];
  const gender = select("gender", t("gender"), data.gender);
  const migration = select("migration_status", t("migrationStatus"), data.migration_status);
  migration[1].prepend(el("option", { value: "", text: "—", selected: !data.migration_status }));
  const rows = el("div", {}, ...(data.identity_documents || []).map((doc) => documentRow(doc)));
  renumber(rows);
  const add = el("button", { type: "button", text: t("docAdd"), onclick: () => {
    rows.append(documentRow({}));
    renumber(rows);
    rows.lastChild.inputs.number.focus();
  } });
  const form = el("form", { class: "grid", novalidate: true }, ...Object.values(inputs).flat(), ...gender, ...migration,
    el("h3", { id: "documents-edit-title", text: t("documents") }), rows, add,
    el("p", { class: "field-error", id: "f-identity_documents-error" }),
    el("button", { class: "primary", type: "submit", text: t("save") }));
  submitting(form, async () => {
    const value = (name) => inputs[name][1].value.trim();
    await api.patch(`/survivors/${data.id}`, {
      given_names: value("given_names"), middle_names: value("middle_names"), family_name: value("family_name"),
      aliases: value("aliases").split(",").map((item) => item.trim()).filter(Boolean),
      date_of_birth: value("date_of_birth") || null, place_of_birth: value("place_of_birth"),
      phone: value("phone"), email: value("email"), address: value("address"),
      citizenships: codeList(value("citizenships"), true), languages: codeList(value("languages"), false),
      gender: gender[1].value, migration_status: migration[1].value,
      identity_documents: [...rows.children].map((row) => {
        const doc = { type: row.inputs.type.value, number: row.inputs.number.value.trim() };
        if (row.inputs.issuing_country.value.trim()) doc.issuing_country = row.inputs.issuing_country.value.trim().toUpperCase();
        if (row.inputs.expiry.value) doc.expiry = row.inputs.expiry.value;
        return doc;
      }),
    }, survivor.etag);
    await again();
  }, again);
  return el("details", { class: "edit" }, el("summary", { text: t("editIdentity") }), form);
}

/** The survivor's section of the case file; `editable` when the caller may change the case. */
export function survivorSection(survivor, editable) {
  const data = survivor.data;
  const heading = el("h2", { id: "survivor-title", text: t("survivorFile") });
  if (data.erased) return el("section", { class: "card", "aria-labelledby": "survivor-title" }, heading, el("p", { text: t("erasedFile") }));
  return el("section", { class: "card", "aria-labelledby": "survivor-title" }, heading, facts(data),
    el("h3", { id: "documents-title", text: t("documents") }), documentsTable(data.identity_documents),
    editable ? editForm(survivor) : null);
}
