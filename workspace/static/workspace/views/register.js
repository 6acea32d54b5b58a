// Registering a survivor: the duplicate check first (POST
// /survivors/duplicates — names travel in the body, never in a URL), then the
// survivor (POST /survivors/) and a case in one of the person's teams
// (POST /cases/), then the new case file.
"use strict";

import * as api from "../api.js";
import { t, terms } from "../i18n.js";
import { go, screen } from "../nav.js";
import { codeList, el, field, show, submitting } from "../ui.js";

let me = null;

export function setMe(person) {
  me = person;
}

async function registerScreen() {
  const given = field("given_names", t("givenNames"), { required: true, maxlength: "200", autocomplete: "off" });
  const family = field("family_name", t("familyName"), { maxlength: "200", autocomplete: "off" });
  const born = field("date_of_birth", t("dateOfBirth"), { type: "date" });
  const phone = field("phone", t("phone"), { type: "tel", maxlength: "40", autocomplete: "off" });
  const documentNumber = field("document_number", t("documentNumber"), { maxlength: "64", autocomplete: "off" });
  const result = el("div", { id: "duplicates", "aria-live": "polite" });
  const checkForm = el("form", { class: "card", novalidate: true },
    el("h1", { text: t("register") }), el("p", { class: "hint", text: t("registerIntro") }),
    ...given, ...family, ...born, ...phone, ...documentNumber,
    el("button", { class: "primary", type: "submit", text: t("check") }));
  submitting(checkForm, async () => {
    const values = {
      name: [given[1].value, family[1].value].map((part) => part.trim()).filter(Boolean).join(" ") || undefined,
      date_of_birth: born[1].value || undefined,
      phone: phone[1].value.trim() || undefined,
      document_number: documentNumber[1].value.trim() || undefined,
    };
    const { data } = await api.post("/survivors/duplicates", values);
    result.replaceChildren(...duplicates(data), registerForm(given[1], family[1], born[1], phone[1]));
  });
  show(checkForm, result);
}

function duplicates(data) {
  const nodes = [];
  if (data.matches.length) {
    nodes.push(el("p", { class: "warning", text: t("matchesHere") }), el("ul", {}, ...data.matches.map((match) =>
      el("li", {}, `${t("matchedOn")}: ${match.matched_on.map((kind) => t(`match_${kind}`)).join(", ")} — `,
        el("button", { type: "button", class: "link", text: t("theirCases"), onclick: () => go("cases", { survivor: match.survivor_id }) })))));
  }
  if (data.others_exist) nodes.push(el("p", { class: "warning", role: "status", text: t("othersExist") }));
  if (!nodes.length) nodes.push(el("p", { role: "status", text: t("noMatches") }));
  return nodes.map((node) => el("div", { class: "card" }, node));
}

function registerForm(given, family, born, phone) {
  const gender = el("select", { id: "f-gender", name: "gender", "aria-describedby": "f-gender-error" },
    ...terms("gender").map(([code, label]) => el("option", { value: code, text: label, selected: code === "NonSpecifiedUnknown" })));
  const citizenships = field("citizenships", t("citizenships"), { maxlength: "60" });
  const languages = field("languages", t("languages"), { maxlength: "60" });
  const teams = (me.teams || []);
  const team = el("select", { id: "f-team", name: "team", "aria-describedby": "f-team-error" },
    ...teams.map((item) => el("option", { value: item.id, text: item.name })));
  const form = el("form", { class: "card", novalidate: true },
    el("h2", { text: t("registerAnyway") }),
    el("label", { for: "f-gender", text: t("gender") }), gender, el("p", { class: "field-error", id: "f-gender-error" }),
    ...citizenships, ...languages,
    el("label", { for: "f-team", text: t("team") }), team, el("p", { class: "field-error", id: "f-team-error" }),
    el("button", { class: "primary", type: "submit", text: t("registerAnyway") }));
  submitting(form, async () => {
    const survivor = await api.post("/survivors/", {
      given_names: given.value.trim(),
      family_name: family.value.trim(),
      date_of_birth: born.value || null,
      phone: phone.value.trim(),
      gender: gender.value,
      citizenships: codeList(citizenships[1].value, true),
      languages: codeList(languages[1].value, false),
    });
    const kase = await api.post("/cases/", { survivor: survivor.data.id, team: team.value });
    await go("case", kase.data.id);
  });
  return form;
}

screen("register", registerScreen);
