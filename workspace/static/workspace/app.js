// The workspace: a client of the public API (/api/v1/), nothing else.
// Session sign-in with CSRF; nothing about survivors is ever written to
// localStorage, sessionStorage, IndexedDB, caches or the URL.
"use strict";

const API = "/api/v1";

const TEXT = {
  en: {
    signIn: "Sign in", username: "Username", password: "Password", code: "One-time code",
    codeHelp: "The 6-digit code from your authenticator app, or a recovery code.",
    signOut: "Sign out", myCases: "My cases", reference: "Reference", status: "Status",
    risk: "Risk", opened: "Opened", noCases: "No cases yet.", admin: "Administration",
    docs: "API documentation", failed: "Something went wrong. Try again.",
    intro: "Sign in with your ngo-cases account.",
    notYours: "The workspace shows cases to caseworkers and supervisors. Your work is in the administration.",
  },
  ru: {
    signIn: "Войти", username: "Имя пользователя", password: "Пароль", code: "Одноразовый код",
    codeHelp: "6-значный код из приложения-аутентификатора или резервный код.",
    signOut: "Выйти", myCases: "Мои дела", reference: "Номер", status: "Статус",
    risk: "Риск", opened: "Открыто", noCases: "Дел пока нет.", admin: "Администрирование",
    docs: "Документация API", failed: "Что-то пошло не так. Попробуйте ещё раз.",
    intro: "Войдите со своей учётной записью ngo-cases.",
    notYours: "Рабочее пространство показывает дела социальным работникам и руководителям групп. Ваша работа — в администрировании.",
  },
};

let language = (navigator.language || "en").toLowerCase().startsWith("ru") ? "ru" : "en";
const t = (key) => TEXT[language][key];

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

async function call(method, path, body, csrf) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRFToken"] = csrf;
  const response = await fetch(API + path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

async function csrfToken() {
  const answer = await call("GET", "/auth/csrf");
  return answer.data.csrf_token;
}

function setLanguage(code) {
  language = code === "ru" ? "ru" : "en";
  document.documentElement.lang = language;
  document.getElementById("link-admin").textContent = t("admin");
  document.getElementById("link-docs").textContent = t("docs");
  document.getElementById("sign-out").textContent = t("signOut");
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
  main.focus();
}

function signInForm(askCode = false, message = "") {
  const username = el("input", { id: "username", name: "username", autocomplete: "username", required: "" });
  const password = el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: "" });
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
  const form = el("form", { class: "card", novalidate: "" }, ...fields, el("button", { class: "primary", type: "submit", text: t("signIn") }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: username.value, password: password.value, otp: code ? code.value : "" };
    const answer = await call("POST", "/auth/session", body, await csrfToken());
    password.value = "";
    if (answer.ok) return start();
    const problem = answer.data || {};
    if (problem.type === "urn:ngo-cases:problem:mfa-required") return signInForm(true, problem.detail);
    error.textContent = problem.detail || t("failed");
  });
  show(form);
  username.focus();
}

function formatDate(value, zone) {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: zone }).format(new Date(value));
}

async function casesView(me) {
  const answer = await call("GET", "/cases/?page_size=50");
  const rows = (answer.data && answer.data.results) || [];
  const head = el("tr", {}, ...["reference", "status", "risk", "opened"].map((key) => el("th", { scope: "col", text: t(key) })));
  const body = rows.map((row) => el("tr", {},
    el("td", { text: row.reference }), el("td", { text: row.status }),
    el("td", { text: row.risk_level }), el("td", { text: formatDate(row.opened_at, me.time_zone) })));
  const table = rows.length
    ? el("table", { "aria-labelledby": "cases-title" }, el("thead", {}, head), el("tbody", {}, ...body))
    : el("p", { text: t("noCases") });
  show(el("section", { class: "card" }, el("h1", { id: "cases-title", text: t("myCases") }), table));
}

async function signOut() {
  await call("POST", "/auth/logout", undefined, await csrfToken());
  document.getElementById("who").hidden = true;
  document.getElementById("sign-out").hidden = true;
  signInForm();
}

async function start() {
  const session = await call("GET", "/auth/session");
  if (!session.ok || !session.data.signed_in) {
    setLanguage(language);
    return signInForm();
  }
  const me = await call("GET", "/me");
  setLanguage(me.data.language);
  const who = document.getElementById("who");
  who.textContent = me.data.username;
  who.hidden = false;
  document.getElementById("sign-out").hidden = false;
  if (!["caseworker", "supervisor"].includes(me.data.role)) {
    // Coordinators' and partners' screens come in the next slices; admins and auditors use the admin.
    return show(el("section", { class: "card" }, el("h1", { text: t("myCases") }), el("p", { text: t("notYours") }),
      el("a", { href: "/admin/", text: t("admin") })));
  }
  return casesView(me.data);
}

document.getElementById("sign-out").addEventListener("click", signOut);
start();
