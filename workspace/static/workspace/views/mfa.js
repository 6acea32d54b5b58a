// Two-factor sign-in: set up an authenticator app (QR code or key, then a
// current code), recovery codes shown once, new recovery codes later. Used
// by My account and, where the organisation requires two-factor sign-in, by
// the first sign-in, whose session opens nothing else until it is done.
"use strict";

import * as api from "../api.js";
import { t } from "../i18n.js";
import { el, field, submitting } from "../ui.js";

/** The recovery codes, once, with what to do with them; `onDone` continues. */
function codesShown(card, codes, onDone) {
  card.replaceChildren(
    el("h2", { id: "mfa-title", text: t("recoveryCodes") }),
    el("p", { text: t("recoveryCodesHelp") }),
    el("ol", { class: "codes", id: "recovery-codes" }, ...codes.map((code) => el("li", {}, el("code", { text: code })))),
    el("button", { class: "primary", type: "button", text: t("savedThem"), onclick: onDone }));
  card.querySelector("h2").focus();
}

function setUp(card, required, onDone) {
  const start = el("button", { class: "primary", type: "button", text: t("mfaSetUp") });
  const alert = el("p", { class: "error", role: "alert" });
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      const { data } = await api.post("/auth/mfa/totp/begin");
      const [label, code, error] = field("otp", t("code"), { autocomplete: "one-time-code", inputmode: "numeric", required: true, maxlength: "12" });
      const form = el("form", { class: "narrow-form" },
        el("p", { text: t("mfaScan") }),
        el("img", { src: data.qr_code, alt: t("mfaQrAlt"), class: "qr", width: "180", height: "180" }),
        el("p", { class: "hint", text: t("mfaKey") }), el("p", {}, el("code", { class: "secret", id: "mfa-secret", text: data.secret })),
        label, code, error,
        el("button", { class: "primary", type: "submit", text: t("mfaConfirm") }));
      submitting(form, async () => {
        const answer = await api.post("/auth/mfa/totp/confirm", { otp: code.value.trim() });
        api.forgetCsrf();
        codesShown(card, answer.data.recovery_codes, onDone);
      });
      card.replaceChildren(el("h2", { id: "mfa-title", text: t("mfaTitle") }), form);
      code.focus();
    } catch (problem) {
      start.disabled = false;
      alert.textContent = problem.detail || t("failed");
    }
  });
  card.append(el("p", { text: required ? t("mfaRequired") : t("mfaOff") }), start, alert);
}

function renewCodes(card, status) {
  const [label, code, error] = field("otp", t("code"), { autocomplete: "one-time-code", inputmode: "numeric", required: true, maxlength: "12" });
  const form = el("form", { class: "narrow-form" }, label, code, error, el("button", { type: "submit", text: t("newRecoveryCodes") }));
  submitting(form, async () => {
    const answer = await api.post("/auth/mfa/recovery-codes", { otp: code.value.trim() });
    codesShown(card, answer.data.recovery_codes, () => twoFactor(card));
  });
  card.append(el("p", { text: t("mfaOn", { count: status.recovery_codes_left }) }), form);
}

/** Fill `card` (a section) with the state of two-factor sign-in and what can be done with it. */
export async function twoFactor(card, { required = false, onDone = null } = {}) {
  const { data: status } = await api.get("/auth/mfa/");
  card.replaceChildren(el("h2", { id: "mfa-title", text: t("mfaTitle") }));
  card.setAttribute("aria-labelledby", "mfa-title");
  if (status.enrolled) renewCodes(card, status);
  else setUp(card, required || status.enforced, onDone || (() => twoFactor(card)));
  return card;
}
