// Notifications: references and links only, never personal data (one call;
// the unread count in the header is one more, on every screen change).
"use strict";

import * as api from "../api.js";
import { dateTime, t } from "../i18n.js";
import { go, screen } from "../nav.js";
import { el, show, showProblem } from "../ui.js";

/** The header's unread count: GET /notifications/unread-count. */
export async function refreshUnread() {
  const badge = document.getElementById("unread");
  try {
    const { data } = await api.get("/notifications/unread-count");
    badge.textContent = data.unread ? String(data.unread) : "";
    badge.hidden = !data.unread;
    badge.setAttribute("aria-label", `${data.unread} ${t("unread")}`);
  } catch {
    badge.hidden = true;
  }
}

async function openReference(reference) {
  const { data } = await api.get(`/cases/${api.query({ reference, page_size: 1 })}`);
  if (data.results.length) await go("case", data.results[0].id);
}

async function notificationsScreen() {
  const alert = el("p", { class: "error", role: "alert" });
  const readAll = el("button", { type: "button", text: t("markAllRead"), onclick: async () => {
    try {
      await api.post("/notifications/read", {});
      await refreshUnread();
      await go("notifications");
    } catch (error) {
      showProblem(error, alert);
    }
  } });
  const section = el("section", { class: "card" }, el("h1", { text: t("notifications") }), readAll, alert);
  show(section);
  try {
    const { data } = await api.get("/notifications/?page_size=50");
    section.append(data.results.length
      ? el("ul", { class: "inbox" }, ...data.results.map((item) => el("li", { class: item.read_at ? "read" : "unread" },
        el("p", { class: "hint", text: dateTime(item.created_at) }),
        el("p", { text: item.text }),
        item.case_reference
          ? el("button", { type: "button", class: "link", text: item.case_reference, onclick: () => openReference(item.case_reference) })
          : null)))
      : el("p", { text: t("noNotifications") }));
  } catch (error) {
    showProblem(error, alert);
  }
}

screen("notifications", notificationsScreen);
