// Documents (attachments) of a survivor or a case: the list with download
// links and, for those who work on the case, upload and delete. Files go up
// as multipart/form-data and come down as downloads (the API's
// Content-Disposition: attachment); nothing of them is kept in the page.
"use strict";

import * as api from "../api.js";
import { dateTime, t, terms, word } from "../i18n.js";
import { again } from "../nav.js";
import { el, field, showProblem, submitting, table } from "../ui.js";

/** Bytes in words a person reads (1.2 MB). */
export function size(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(0)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** A link that downloads the file (the API streams it with Content-Disposition: attachment). */
export const downloadLink = (url, name) => el("a", { href: url, download: "", class: "download", text: name || t("download") });

/**
 * One list of documents. `id` names the section (survivor-docs, case-docs), `path` is the API collection
 * (/survivors/{id}/attachments/), `rows` its first page; `editable`: upload and delete.
 */
export function attachmentsSection(id, title, path, rows, editable) {
  const lines = rows.map((row) => {
    const alert = el("span", { class: "error", role: "alert" });
    const remove = editable
      ? el("button", { type: "button", text: t("deleteFile"), onclick: async () => {
        try {
          await api.remove(`${path}${row.id}`, api.etagOf(row));
          await again();
        } catch (problem) {
          showProblem(problem, alert, null, again);
        }
      } })
      : null;
    return [downloadLink(row.download_url, row.name), word("attachment_category", row.category), size(row.size),
      dateTime(row.created_at), el("span", {}, remove, alert)];
  });
  return el("section", { class: "card", "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title`, text: title }),
    lines.length ? table(`${id}-title`, [t("fileName"), t("category"), t("size"), t("uploaded"), ""], lines)
      : el("p", { text: t("noDocuments") }),
    editable ? uploadForm(id, path) : null);
}

function uploadForm(id, path) {
  const prefix = `${id}-`;
  const file = field("file", t("chooseFile"), { type: "file", required: true, prefix,
    accept: "application/pdf,image/jpeg,image/png,image/webp" });
  const category = [el("label", { for: `f-${prefix}category`, text: t("category") }),
    el("select", { id: `f-${prefix}category`, name: "category", "aria-describedby": `f-${prefix}category-error` },
      ...terms("attachment_category").map(([code, label]) => el("option", { value: code, text: label }))),
    el("p", { class: "field-error", id: `f-${prefix}category-error` })];
  const description = field("description", t("description"), { maxlength: "2000", prefix });
  const form = el("form", { class: "grid", "data-prefix": prefix }, ...file, ...category, ...description,
    el("p", { class: "hint", text: t("uploadHint") }),
    el("button", { class: "primary", type: "submit", text: t("uploadFile") }));
  return submitting(form, async (values) => {
    await api.upload(path, values);
    await again();
  });
}
