// My cases: one API call (GET /cases/) whatever the number of rows — the
// list names the survivor and the next follow-up itself.
"use strict";

import * as api from "../api.js";
import { date, t, terms, word } from "../i18n.js";
import { go, screen } from "../nav.js";
import { el, field, show, showProblem, submitting, table } from "../ui.js";

let me = null;

export function setMe(person) {
  me = person;
}

/** No case of yours has this reference: break-glass holders may open it for a while, read only, with a reason. */
function breakGlassForm(reference) {
  const [label, reason, error] = field("reason", t("breakGlassReason"), { tag: "textarea", rows: "3", maxlength: "500", required: true });
  const form = el("form", { class: "card" }, el("h2", { text: t("breakGlass", { reference }) }),
    el("p", { class: "hint", text: t("breakGlassHint") }), label, reason, error,
    el("button", { class: "primary", type: "submit", text: t("breakGlassOpen") }));
  return submitting(form, async () => {
    const { data } = await api.post("/cases/break-glass", { reference, reason: reason.value });
    await go("case", data.case);
  });
}

function options(vocabulary, anyLabel, selected) {
  return [el("option", { value: "", text: anyLabel }),
    ...terms(vocabulary).map(([code, label]) => el("option", { value: code, text: label, selected: code === selected }))];
}

async function casesScreen(filters = {}) {
  const search = el("input", { id: "case-search", type: "search", value: filters.reference || "", maxlength: "20", autocomplete: "off" });
  const status = el("select", { id: "case-status" }, ...options("case_status", t("anyStatus"), filters.status));
  const risk = el("select", { id: "case-risk" }, ...options("risk_level", t("anyRisk"), filters.risk_level));
  const form = el("form", { class: "filters", role: "search",
    onsubmit: (event) => {
      event.preventDefault();
      go("cases", { reference: search.value.trim(), status: status.value, risk_level: risk.value });
    } },
  el("label", { for: "case-search", text: t("searchReference") }), search,
  el("label", { for: "case-status", text: t("status") }), status,
  el("label", { for: "case-risk", text: t("risk") }), risk,
  el("button", { type: "submit", class: "primary", text: t("filter") }));
  const alert = el("p", { class: "error", role: "alert" });
  const section = el("section", { class: "card" }, el("h1", { id: "cases-title", text: t("myCases") }), form, alert);
  show(section);
  try {
    const { data } = await api.get(`/cases/${api.query({ page_size: 50, ...filters })}`);
    section.append(data.results.length ? casesTable(data.results) : el("p", { text: t("noCases") }));
    if (!data.results.length && filters.reference && me.can_break_glass) section.after(breakGlassForm(filters.reference));
  } catch (error) {
    showProblem(error, alert);
  }
}

function casesTable(rows) {
  const headings = [t("reference"), t("survivor"), t("status"), t("risk"), t("nextFollowUp")];
  return table("cases-title", headings, rows.map((row) => [
    el("button", { type: "button", class: "link", text: row.reference, onclick: () => go("case", row.id) }),
    row.survivor_name === null ? el("span", { class: "hint", text: t("erased") }) : row.survivor_name,
    word("case_status", row.status),
    el("span", { class: `risk risk-${row.risk_level}`, text: word("risk_level", row.risk_level) }),
    row.next_follow_up_on
      ? el("span", {}, date(row.next_follow_up_on),
        row.follow_up_overdue ? el("strong", { class: "overdue", text: ` ${t("overdue")}` }) : null)
      : "",
  ]));
}

screen("cases", casesScreen);
