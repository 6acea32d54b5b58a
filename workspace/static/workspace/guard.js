// The session's guard in the browser: idle sign-out with a warning, and the
// lock screen. The server decides both (accounts.middleware): this module
// keeps the server's idle clock running while the person works without
// saving, warns a minute before the end, and blanks the screen on "Lock".
"use strict";

import * as api from "./api.js";
import { t } from "./i18n.js";
import { el } from "./ui.js";

const WARNING_SECONDS = 60;
const KEEP_ALIVE_AFTER = 60 * 1000; // a person typing for a minute without a request tells the server
let idleTimeout = 15 * 60;
let lastActivity = Date.now();
let timer = null;
let dialog = null;
let handlers = null;

/** Start watching: `onIdle()` after the idle time, `onLock()` for the lock button. */
export function watch(timeoutSeconds, callbacks) {
  idleTimeout = timeoutSeconds;
  handlers = callbacks;
  lastActivity = Date.now();
  for (const kind of ["keydown", "pointerdown", "wheel", "touchstart"]) {
    document.addEventListener(kind, activity, { passive: true, capture: true });
  }
  clearInterval(timer);
  timer = setInterval(tick, 1000);
}

export function stop() {
  clearInterval(timer);
  timer = null;
  closeWarning();
}

function activity() {
  if (dialog) return; // only "Stay signed in" answers the warning
  lastActivity = Date.now();
  if (timer && api.millisecondsSinceLastRequest() > KEEP_ALIVE_AFTER) {
    api.get("/auth/session").catch(() => {}); // any request is activity for the server
  }
}

function tick() {
  const idle = (Date.now() - lastActivity) / 1000;
  const left = Math.ceil(idleTimeout - idle);
  if (left <= 0) {
    stop();
    handlers.onIdle();
  } else if (left <= WARNING_SECONDS) {
    warn(left);
  }
}

function warn(seconds) {
  if (!dialog) {
    dialog = el("div", { class: "overlay", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "idle-text" },
      el("div", { class: "card dialog" },
        el("p", { id: "idle-text" }),
        el("button", { class: "primary", type: "button", text: t("stay"), onclick: stay })));
    document.body.append(dialog);
    dialog.querySelector("button").focus();
  }
  dialog.querySelector("#idle-text").textContent = t("idleWarning", { seconds });
}

async function stay() {
  closeWarning();
  lastActivity = Date.now();
  await api.get("/auth/session");
}

function closeWarning() {
  if (dialog) dialog.remove();
  dialog = null;
}
