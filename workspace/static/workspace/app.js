// The workspace: a client of the public API (/api/v1/), nothing else.
// Session sign-in with CSRF; nothing about survivors is ever written to
// localStorage, sessionStorage, IndexedDB, caches or the URL: what a screen
// shows lives in the page's DOM until the next screen or sign-out replaces it.
"use strict";

import * as api from "./api.js";
import * as guard from "./guard.js";
import { setLocale, setVocabularies, t } from "./i18n.js";
import { go } from "./nav.js";
import { el, show, showProblem } from "./ui.js";
import { setMe as caseSetMe } from "./views/case.js";
import { setMe as casesSetMe } from "./views/cases.js";
import { setMe as directorySetMe } from "./views/directory.js";
import "./views/escalations.js";
import "./views/followups.js";
import "./views/referrals.js";
import { onSaved as accountSaved } from "./views/account.js";
import { refreshUnread } from "./views/notifications.js";
import { twoFactor } from "./views/mfa.js";
import { setMe as registerSetMe } from "./views/register.js";

// The screens each role works with (SPEC 1); admins and auditors work in the admin.
// The directory is the home NGO's: partner organisations' staff do not get it.
const SCREENS = {
  caseworker: ["cases", "follow-ups", "referrals", "notifications", "register", "directory"],
  supervisor: ["cases", "escalations", "follow-ups", "referrals", "notifications", "register", "directory"],
  coordinator: ["referrals", "notifications", "directory"],
  partner_caseworker: ["referrals", "notifications"],
};
const $ = (id) => document.getElementById(id);

function chrome(signedIn) {
  $("who").hidden = !signedIn;
  $("nav").hidden = !signedIn;
  $("account").hidden = !signedIn;
  $("link-admin").textContent = t("admin");
  $("link-docs").textContent = t("docs");
  for (const [id, key] of [["nav-cases", "navCases"], ["nav-escalations", "escalations"], ["nav-follow-ups", "navFollowUps"], ["nav-referrals", "navReferrals"], ["nav-notifications", "navNotifications"],
    ["nav-register", "navRegister"], ["nav-directory", "directory"], ["nav-account", "account"], ["lock", "lock"], ["sign-out", "signOut"], ["sign-out-all", "signOutEverywhere"]]) {
    $(id).querySelector(".label").textContent = t(key);
  }
}

/** Forget everything the page shows: the main region, the header, the timers. */
function blank() {
  guard.stop();
  chrome(false);
  $("who").textContent = "";
  $("main").replaceChildren();
}

/** The sign-in form; `typed` keeps the username and password when it comes back asking for the one-time code. */
function signInForm(message = "", askCode = false, typed = {}) {
  blank();
  const username = el("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  username.value = typed.username || ""; // properties, not attributes: the password never appears in the markup
  password.value = typed.password || "";
  const fields = [
    el("h1", { text: t("signIn") }),
    el("p", { class: "hint", text: t("intro") }),
    el("label", { for: "username", text: t("username") }), username,
    el("label", { for: "password", text: t("password") }), password,
  ];
  let code = null;
  if (askCode) {
    code = el("input", { id: "otp", name: "otp", autocomplete: "one-time-code", inputmode: "numeric", "aria-describedby": "otp-help" });
    fields.push(el("label", { for: "otp", text: t("code") }), code, el("p", { id: "otp-help", class: "hint", text: t("codeHelp") }));
  }
  const error = el("p", { class: "error", role: "alert", id: "sign-in-error", text: message });
  const form = el("form", { class: "card narrow", novalidate: true }, ...fields, el("button", { class: "primary", type: "submit", text: t("signIn") }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: username.value, password: password.value, otp: code ? code.value : "" };
    try {
      await api.post("/auth/session", body);
      api.forgetCsrf(); // signing in rotates it
      await start();
    } catch (problem) {
      api.forgetCsrf();
      if (problem instanceof api.Problem && problem.is("mfa-required")) {
        return signInForm(problem.detail, true, { username: username.value, password: password.value });
      }
      password.value = "";
      if (problem instanceof api.Problem && problem.is("mfa-enrolment-required")) return enrolScreen();
      showProblem(problem, error);
    }
  });
  show(form);
  (code || username).focus();
}

/** Signed in with the password where two-factor sign-in is required and not yet set up: nothing else until it is. */
async function enrolScreen() {
  blank();
  api.forgetCsrf(); // signing in rotated it
  const card = el("section", { class: "card narrow" });
  await twoFactor(card, { required: true, onDone: () => start() });
  show(el("h1", { text: t("mfaFirst") }), card,
    el("p", {}, el("button", { class: "link", type: "button", text: t("signOut"), onclick: () => signOut() })));
}

function lockScreen() {
  blank();
  const password = el("input", { id: "unlock-password", type: "password", autocomplete: "current-password", required: true });
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "card narrow", novalidate: true },
    el("h1", { text: t("locked") }), el("p", { class: "hint", text: t("lockedHelp") }),
    el("label", { for: "unlock-password", text: t("password") }), password,
    el("button", { class: "primary", type: "submit", text: t("unlock") }),
    el("button", { class: "link", type: "button", text: t("signOut"), onclick: signOut }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.post("/auth/unlock", { password: password.value });
      await start();
    } catch (problem) {
      password.value = "";
      if (problem instanceof api.Problem && problem.status === 429) return signInForm(problem.detail);
      showProblem(problem, error);
    }
  });
  show(form);
  password.focus();
}

async function lock() {
  blank(); // at once, before the server answers
  $("main").append(el("p", { text: t("locked") }));
  try {
    await api.post("/auth/lock");
  } finally {
    lockScreen();
  }
}

async function signOut(everywhere = false) {
  blank();
  try {
    await api.post(everywhere === true ? "/auth/logout-all" : "/auth/logout");
  } catch {
    // already signed out
  }
  api.forgetCsrf();
  signInForm();
}

async function idleSignOut(minutes) {
  await signOut();
  $("sign-in-error").textContent = t("idleSignedOut", { minutes });
}

async function start() {
  const session = await api.get("/auth/session");
  if (session.data.enrolling) return enrolScreen();
  if (!session.data.signed_in) {
    setLocale(navigator.language.toLowerCase().startsWith("ru") ? "ru" : "en");
    chrome(false);
    return signInForm();
  }
  if (session.data.locked) {
    chrome(false);
    return lockScreen();
  }
  const [me, vocabularies] = (await Promise.all([api.get("/me"), api.get("/vocabularies")])).map((answer) => answer.data);
  setLocale(me.language, me.time_zone);
  setVocabularies(vocabularies);
  chrome(true);
  $("who").textContent = me.username;
  guard.watch(session.data.idle_timeout, { onIdle: () => idleSignOut(Math.round(session.data.idle_timeout / 60)) });
  const home = Boolean(me.organisation && me.organisation.is_home);
  const screens = SCREENS[me.role] && SCREENS[me.role].filter((name) => name !== "directory" || home);
  if (!screens) {
    $("nav").hidden = true;
    return show(el("section", { class: "card" }, el("h1", { text: t("myCases") }), el("p", { text: t("notYours") }),
      el("a", { href: "/admin/", text: t("admin") })));
  }
  document.querySelectorAll("#nav [data-screen]").forEach((button) => { button.hidden = !screens.includes(button.dataset.screen); });
  caseSetMe(me);
  directorySetMe(me);
  casesSetMe(me);
  registerSetMe(me);
  refreshUnread();
  return go(screens[0]);
}

accountSaved(() => start());
api.onSignedOut(() => {
  blank();
  start().catch(() => signInForm(t("signedOutElsewhere")));
});
$("nav-cases").addEventListener("click", () => go("cases"));
$("nav-escalations").addEventListener("click", () => go("escalations"));
$("nav-follow-ups").addEventListener("click", () => go("follow-ups"));
$("nav-referrals").addEventListener("click", () => go("referrals"));
$("nav-notifications").addEventListener("click", () => go("notifications"));
$("nav-register").addEventListener("click", () => go("register"));
$("nav-directory").addEventListener("click", () => go("directory"));
$("nav-account").addEventListener("click", () => go("account"));
$("lock").addEventListener("click", lock);
$("sign-out").addEventListener("click", () => signOut(false));
$("sign-out-all").addEventListener("click", () => signOut(true));
// A session that ends between two of start()'s requests (signed out in another tab) shows the sign-in form.
start().catch(() => signInForm(t("signedOutElsewhere")));
