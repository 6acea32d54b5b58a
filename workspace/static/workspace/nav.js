// Moving between screens without touching the address bar: the URL stays
// "/" (nothing about a case or a survivor in it, or in the history).
"use strict";

const screens = new Map();
let current = null;

/** Register a screen: `render(...args)` draws it in the main region. */
export function screen(name, render) {
  screens.set(name, render);
}

/** Show a screen; the header's navigation marks it as current. */
export async function go(name, ...args) {
  current = { name, args };
  document.querySelectorAll("header [data-screen]").forEach((button) => {
    if (button.dataset.screen === name) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  });
  await screens.get(name)(...args);
}

/** Draw the current screen again (after a 412, or after unlocking). */
export const again = () => (current ? go(current.name, ...current.args) : undefined);
