// Building the page: elements from data (textContent only, never HTML from
// the server), the main region, forms whose problem+json errors appear next
// to their fields, and the "changed by someone else" answer to a 412.
"use strict";

import { Problem } from "./api.js";
import { t } from "./i18n.js";

/** An element with attributes (`text` sets textContent; `on<event>` adds a listener) and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** Replace what the main region shows and move focus to its heading, for screen readers and keyboards. */
export function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined));
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  } else {
    main.focus();
  }
}

/**
 * A labelled input: returns [label, input, error line]. Its id is f-<prefix><name>: two forms on one
 * screen with a field of the same name give one of them a `prefix` and set it as the form's data-prefix.
 */
export function field(name, label, attributes = {}) {
  const id = `f-${attributes.prefix || ""}${name}`;
  const tag = attributes.tag || "input";
  const input = el(tag, { id, name, "aria-describedby": `${id}-error`, ...attributes, tag: undefined, prefix: undefined });
  return [el("label", { for: id, text: label }), input, el("p", { class: "field-error", id: `${id}-error` })];
}

/** A colleague's name as the API gives it (first and last name, or the username). */
export const personName = (person) => [person.first_name, person.last_name].filter(Boolean).join(" ") || person.username;

/** ISO codes typed in a line ("uzb, rus" → ["UZB", "RUS"]). */
export function codeList(text, upper) {
  return text.split(/[\s,;]+/).filter(Boolean).map((code) => (upper ? code.toUpperCase() : code.toLowerCase()));
}

/** A table with column headings; `rows` are arrays of cells (strings or nodes). */
export function table(labelledBy, headings, rows) {
  return el("div", { class: "table-wrap" }, el("table", { "aria-labelledby": labelledBy },
    el("thead", {}, el("tr", {}, ...headings.map((heading) => el("th", { scope: "col", text: heading })))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell)))))));
}

/**
 * Run `action` for a form's submission: clears old errors, puts a problem's
 * field errors under their fields and its detail in the form's alert. A 412
 * offers to reload instead (`reload`), never retrying on its own.
 */
export function submitting(form, action, reload) {
  const alert = el("p", { class: "error", role: "alert" });
  form.append(alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.replaceChildren();
    form.querySelectorAll(".field-error").forEach((line) => { line.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await action(new FormData(form));
    } catch (error) {
      showProblem(error, alert, form, reload);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}

/** Put a problem where the person will see it. */
export function showProblem(error, alert, form = null, reload = null) {
  if (!(error instanceof Problem)) {
    alert.textContent = t("failed");
    throw error;
  }
  if (error.status === 412 && reload) {
    alert.replaceChildren(el("span", { text: `${t("conflict")} ` }),
      el("button", { type: "button", class: "link", text: t("reload"), onclick: reload }));
    return;
  }
  let placed = false;
  const prefix = (form && form.dataset.prefix) || "";
  const input = (name) => form && form.querySelector(`#f-${CSS.escape(prefix + name)}`);
  for (const [name, messages] of Object.entries(error.errors)) {
    const line = form && form.querySelector(`#f-${CSS.escape(prefix + name)}-error`);
    if (line) {
      line.textContent = [].concat(messages).join(" ");
      if (input(name)) input(name).setAttribute("aria-invalid", "true");
      placed = true;
    }
  }
  const first = form && form.querySelector("[aria-invalid]");
  if (first) first.focus();
  alert.textContent = placed && !Object.keys(error.errors).some((name) => !input(name))
    ? error.detail || error.title
    : [error.detail || error.title, ...Object.entries(error.errors).map(([name, messages]) => `${name}: ${[].concat(messages).join(" ")}`)].join(" ");
}
