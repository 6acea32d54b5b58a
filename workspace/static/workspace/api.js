// The workspace's one way to the server: the public API (/api/v1/), with the
// session cookie and the CSRF token, JSON in and out, problem+json errors as
// exceptions. The CSRF token lives in this module's memory only.
"use strict";

const API = "/api/v1";
let csrf = null;
let lastRequestAt = Date.now();
const listeners = { signedOut: [] };

/** An API answer that was not 2xx: RFC 9457 fields, per-field `errors`. */
export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.type = (body && body.type) || "about:blank";
    this.title = (body && body.title) || "";
    this.detail = (body && body.detail) || "";
    this.errors = (body && body.errors) || {};
  }

  is(kind) {
    return this.type === `urn:ngo-cases:problem:${kind}`;
  }
}

/** Called with no arguments when a request finds the session gone (idle, signed out elsewhere, locked). */
export function onSignedOut(listener) {
  listeners.signedOut.push(listener);
}

export function millisecondsSinceLastRequest() {
  return Date.now() - lastRequestAt;
}

/** Forget the CSRF token: sign-in and sign-out rotate it. */
export function forgetCsrf() {
  csrf = null;
}

async function csrfToken() {
  if (csrf === null) {
    const answer = await request("GET", "/auth/csrf");
    csrf = answer.data.csrf_token;
  }
  return csrf;
}

async function request(method, path, { body, ifMatch, form } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = await csrfToken();
  if (ifMatch) headers["If-Match"] = ifMatch;
  lastRequestAt = Date.now();
  const response = await fetch(API + path, {
    method,
    headers,
    credentials: "same-origin",
    cache: "no-store",
    // a form (an upload) goes as multipart/form-data: the browser writes its boundary
    body: form !== undefined ? form : body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const problem = new Problem(response.status, data);
    if (response.status === 401 && !path.startsWith("/auth/")) listeners.signedOut.forEach((listener) => listener());
    throw problem;
  }
  return { data, etag: response.headers.get("ETag") };
}

/** GET a JSON resource: {data, etag}. */
export const get = (path) => request("GET", path);
/** POST: {data, etag}. */
export const post = (path, body, ifMatch) => request("POST", path, { body, ifMatch });
/** PATCH with If-Match (always: the API answers 428 without it). */
export const patch = (path, body, ifMatch) => request("PATCH", path, { body, ifMatch });

/** POST a multipart form (a file upload): {data, etag}. */
export const upload = (path, form) => request("POST", path, { form });

/** DELETE with If-Match. */
export const remove = (path, ifMatch) => request("DELETE", path, { ifMatch });

/** The ETag of an object from a list, whose rows carry `version` (docs/api.md). */
export const etagOf = (row) => `"v${row.version}"`;

/** Query string from an object; arrays repeat the parameter. Ids and codes only, never names. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) value.forEach((item) => search.append(key, item));
    else if (value !== undefined && value !== null && value !== "") search.append(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
