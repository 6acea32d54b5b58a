// The directory (home NGO staff read it; its coordinators keep it): the
// organisations, the services each offers and their contacts. One call for
// the list, one for an organisation with its services and contacts; every
// change sends If-Match and redraws from the API.
"use strict";

import * as api from "../api.js";
import { t, terms, word } from "../i18n.js";
import { again, go, screen } from "../nav.js";
import { codeList, el, field, show, showProblem, submitting, table } from "../ui.js";

let keeper = false;

/** Whether the signed-in person keeps the directory (the home NGO's coordinators; the API decides). */
export function setMe(person) {
  keeper = person.role === "coordinator" && Boolean(person.organisation && person.organisation.is_home);
}

function select(name, label, vocabulary, value = "", prefix = "") {
  const id = `f-${prefix}${name}`;
  return [el("label", { for: id, text: label }),
    el("select", { id, name, "aria-describedby": `${id}-error` },
      ...terms(vocabulary).map(([code, words]) => el("option", { value: code, text: words, selected: code === value }))),
    el("p", { class: "field-error", id: `${id}-error` })];
}

function organisationForm(organisation, etag) {
  const data = organisation || {};
  const name = field("name", t("orgName"), { value: data.name || "", maxlength: "200", required: true, prefix: "o-" });
  const slug = field("slug", t("orgSlug"), { value: data.slug || "", maxlength: "50", required: true, prefix: "o-" });
  const kind = select("org_type", t("orgType"), "organisation_type", data.org_type, "o-");
  const region = field("region", t("region"), { value: data.region || "", maxlength: "120", prefix: "o-" });
  const about = field("description", t("about"), { tag: "textarea", rows: "2", maxlength: "4000", prefix: "o-" });
  about[1].value = data.description || "";
  const active = el("input", { type: "checkbox", id: "f-o-active", name: "active", checked: organisation ? data.active : true });
  const form = el("form", { class: "grid", novalidate: true, "data-prefix": "o-" }, ...name, ...slug, ...kind, ...region, ...about,
    el("label", { class: "check" }, active, ` ${t("orgActive")}`), el("p", { class: "field-error", id: "f-o-active-error" }),
    el("button", { class: "primary", type: "submit", text: organisation ? t("save") : t("addOrganisation") }));
  return submitting(form, async () => {
    const body = { name: name[1].value.trim(), slug: slug[1].value.trim(), org_type: kind[1].value,
      region: region[1].value.trim(), description: about[1].value, active: active.checked };
    if (organisation) {
      await api.patch(`/organisations/${data.id}`, body, etag);
      await again();
    } else {
      const created = await api.post("/organisations/", body);
      await go("organisation", created.data.id);
    }
  }, again);
}

async function directoryScreen(filters = {}) {
  const search = field("q", t("searchName"), { value: filters.q || "", maxlength: "100", autocomplete: "off" });
  const kind = el("select", { id: "f-org_type", name: "org_type", "aria-label": t("filterType") },
    el("option", { value: "", text: t("anyType") }),
    ...terms("organisation_type").map(([code, label]) => el("option", { value: code, text: label, selected: code === filters.org_type })));
  const service = el("select", { id: "f-service", name: "service", "aria-label": t("filterService") },
    el("option", { value: "", text: t("anyService") }),
    ...terms("service").map(([code, label]) => el("option", { value: code, text: label, selected: code === filters.service })));
  const form = el("form", { class: "filters", role: "search" }, search[0], search[1], kind, service,
    el("button", { type: "submit", text: t("filter") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("directory", { q: search[1].value.trim(), org_type: kind.value, service: service.value });
  });
  const alert = el("p", { class: "error", role: "alert" });
  const section = el("section", { class: "card" }, el("h1", { id: "directory-title", text: t("directory") }), form, alert);
  show(section, keeper ? el("section", { class: "card", "aria-labelledby": "new-org-title" },
    el("h2", { id: "new-org-title", text: t("addOrganisation") }), organisationForm(null)) : null);
  try {
    const { data } = await api.get(`/organisations/${api.query({ ...filters, page_size: 200 })}`);
    const rows = data.results.map((row) => [
      el("button", { type: "button", class: "link", text: row.name, onclick: () => go("organisation", row.id) }),
      word("organisation_type", row.org_type), row.region,
      row.services.map((code) => word("service", code)).join(", "),
      row.active ? t("yes") : t("no"),
    ]);
    section.append(rows.length
      ? table("directory-title", [t("orgName"), t("orgType"), t("region"), t("services"), t("orgActive")], rows)
      : el("p", { text: t("noOrganisations") }));
  } catch (error) {
    showProblem(error, alert);
  }
}

function servicesSection(organisation) {
  const rows = organisation.offered.map((offered) => {
    const alert = el("span", { class: "error", role: "alert" });
    const toggle = keeper ? el("button", { type: "button", text: offered.active ? t("deactivate") : t("activate"), onclick: async () => {
      try {
        await api.patch(`/services/${offered.id}`, { active: !offered.active }, api.etagOf(offered));
        await again();
      } catch (problem) {
        showProblem(problem, alert, null, again);
      }
    } }) : null;
    return [word("service", offered.service), offered.regions.join(", "), offered.languages.join(", "),
      offered.active ? t("yes") : t("no"), el("span", {}, toggle, alert)];
  });
  const kind = select("service", t("service"), "service", "", "s-");
  const regions = field("regions", t("regionsHint"), { maxlength: "1000", prefix: "s-" });
  const languages = field("languages", t("languages"), { maxlength: "120", prefix: "s-" });
  const form = el("form", { class: "grid", novalidate: true, "data-prefix": "s-" }, el("h3", { text: t("addService") }),
    ...kind, ...regions, ...languages, el("button", { class: "primary", type: "submit", text: t("addService") }));
  submitting(form, async () => {
    await api.post("/services/", { organisation: organisation.id, service: kind[1].value,
      regions: regions[1].value.split(",").map((item) => item.trim()).filter(Boolean),
      languages: codeList(languages[1].value, false) });
    await again();
  });
  return el("section", { class: "card", "aria-labelledby": "offered-title" }, el("h2", { id: "offered-title", text: t("servicesOffered") }),
    rows.length ? table("offered-title", [t("service"), t("regions"), t("languagesShort"), t("orgActive"), ""], rows) : el("p", { text: t("noServices") }),
    keeper ? form : null);
}

function contactsSection(organisation) {
  const rows = organisation.contacts.map((contact) => {
    const alert = el("span", { class: "error", role: "alert" });
    const remove = keeper ? el("button", { type: "button", text: t("remove"), onclick: async () => {
      try {
        await api.remove(`/organisations/${organisation.id}/contacts/${contact.id}`, api.etagOf(contact));
        await again();
      } catch (problem) {
        showProblem(problem, alert, null, again);
      }
    } }) : null;
    return [contact.name, contact.position, contact.phone, contact.email, el("span", {}, remove, alert)];
  });
  const inputs = [["name", t("contactName"), { required: true, maxlength: "200" }], ["position", t("position"), { maxlength: "200" }],
    ["phone", t("phone"), { maxlength: "40", type: "tel" }], ["email", t("email"), { maxlength: "254", type: "email" }]]
    .map(([name, label, extra]) => field(name, label, { ...extra, prefix: "c-", autocomplete: "off" }));
  const form = el("form", { class: "grid", novalidate: true, "data-prefix": "c-" }, el("h3", { text: t("addContact") }),
    ...inputs.flat(), el("button", { class: "primary", type: "submit", text: t("addContact") }));
  submitting(form, async () => {
    const [name, position, phone, email] = inputs.map((input) => input[1].value.trim());
    await api.post(`/organisations/${organisation.id}/contacts/`, { name, position, phone, email });
    await again();
  });
  return el("section", { class: "card", "aria-labelledby": "contacts-title" }, el("h2", { id: "contacts-title", text: t("contacts") }),
    rows.length ? table("contacts-title", [t("contactName"), t("position"), t("phone"), t("email"), ""], rows) : el("p", { text: t("noContacts") }),
    keeper ? form : null);
}

async function organisationScreen(organisationId) {
  const alert = el("p", { class: "error", role: "alert" });
  let answer;
  try {
    answer = await api.get(`/organisations/${organisationId}`);
  } catch (error) {
    show(el("section", { class: "card" }, el("h1", { text: t("directory") }), alert));
    return showProblem(error, alert);
  }
  const data = answer.data;
  const facts = [[t("orgType"), word("organisation_type", data.org_type)], [t("region"), data.region], [t("about"), data.description],
    [t("orgActive"), data.active ? t("yes") : t("no")]].filter(([, value]) => value);
  return show(
    el("p", {}, el("button", { type: "button", class: "link", text: `← ${t("directory")}`, onclick: () => go("directory") })),
    el("section", { class: "card" }, el("h1", { text: data.name }),
      el("dl", { class: "facts" }, ...facts.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", { text: value })])),
      keeper && !data.is_home ? el("details", { class: "edit" }, el("summary", { text: t("editOrganisation") }), organisationForm(data, answer.etag)) : null),
    servicesSection(data),
    contactsSection(data),
  );
}

screen("directory", directoryScreen);
screen("organisation", organisationScreen);
