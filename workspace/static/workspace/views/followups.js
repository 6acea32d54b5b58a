// My follow-ups: open ones assigned to me, all, due or overdue (one call).
"use strict";

import * as api from "../api.js";
import { date, t, today } from "../i18n.js";
import { go, screen } from "../nav.js";
import { el, show, showProblem, table } from "../ui.js";

async function followUpsScreen(when = "") {
  const choices = [["", t("whenAll")], ["due", t("whenDue")], ["overdue", t("whenOverdue")]];
  const picker = el("div", { class: "segmented", role: "group", "aria-label": t("status") }, ...choices.map(([value, label]) =>
    el("button", { type: "button", text: label, "aria-pressed": String(value === when), onclick: () => go("follow-ups", value) })));
  const alert = el("p", { class: "error", role: "alert" });
  const section = el("section", { class: "card" }, el("h1", { id: "follow-ups-title", text: t("myFollowUps") }), picker, alert);
  show(section);
  try {
    const { data } = await api.get(`/follow-ups/${api.query({ page_size: 100, when })}`);
    const rows = data.results.map((item) => [
      el("span", {}, date(item.due_on), item.due_on < today() ? el("strong", { class: "overdue", text: ` ${t("overdue")}` }) : null),
      el("button", { type: "button", class: "link", text: item.case_reference, onclick: () => go("case", item.case) }),
      item.description || "",
    ]);
    section.append(rows.length ? table("follow-ups-title", [t("due"), t("caseCol"), t("description")], rows) : el("p", { text: t("noFollowUps") }));
  } catch (error) {
    showProblem(error, alert);
  }
}

screen("follow-ups", followUpsScreen);
