// My account: language, time zone and the email digest (PATCH /me with
// If-Match), and two-factor sign-in (views/mfa.js). Every date in the workspace follows the time zone chosen here.
"use strict";

import * as api from "../api.js";
import { t } from "../i18n.js";
import { screen } from "../nav.js";
import { el, field, show, submitting } from "../ui.js";
import { twoFactor } from "./mfa.js";

let restart = null;

/** What to do after saving: start again in the new language and zone. */
export function onSaved(callback) {
  restart = callback;
}

async function accountScreen() {
  const me = await api.get("/me");
  const language = el("select", { id: "f-language", name: "language", "aria-describedby": "f-language-error" },
    el("option", { value: "en", text: "English", selected: me.data.language === "en" }),
    el("option", { value: "ru", text: "Русский", selected: me.data.language === "ru" }));
  const zones = el("datalist", { id: "zones" }, ...Intl.supportedValuesOf("timeZone").map((zone) => el("option", { value: zone })));
  const [zoneLabel, zone, zoneError] = field("time_zone", t("timeZone"), { value: me.data.time_zone, list: "zones", autocomplete: "off", required: true });
  const digest = el("input", { type: "checkbox", id: "f-email_digest", name: "email_digest", checked: me.data.email_digest });
  const form = el("form", { class: "card narrow" }, el("h1", { text: t("account") }),
    el("label", { for: "f-language", text: t("language") }), language, el("p", { class: "field-error", id: "f-language-error" }),
    zoneLabel, zone, zones, zoneError,
    el("label", { class: "check" }, digest, ` ${t("emailDigest")}`), el("p", { class: "field-error", id: "f-email_digest-error" }),
    el("button", { class: "primary", type: "submit", text: t("save") }));
  submitting(form, async () => {
    await api.patch("/me", { language: language.value, time_zone: zone.value.trim(), email_digest: digest.checked }, me.etag);
    await restart();
  }, accountScreen);
  show(form, await twoFactor(el("section", { class: "card narrow" })));
}

screen("account", accountScreen);
