// The explorer's router: hash routes (#/, #/feeders?…, #/feeders/<id>, #/health), so every view,
// filters included, is a URL that can be shared and reloaded.

import { getJson } from "./api.js";
import { h, replace } from "./dom.js";
import { useLabels, when } from "./format.js";
import dictionary from "./views/dictionary.js";
import feeder from "./views/feeder.js";
import finder from "./views/feeders.js";
import health from "./views/health.js";
import overview from "./views/overview.js";

const ROUTES = [
  { pattern: /^\/$/, nav: "overview", view: overview },
  { pattern: /^\/feeders$/, nav: "feeders", view: finder },
  { pattern: /^\/feeders\/([0-9a-fA-F]{32})$/, nav: "feeders", view: feeder },
  { pattern: /^\/health$/, nav: "health", view: health },
  { pattern: /^\/dictionary$/, nav: "dictionary", view: dictionary },
];

// names for people come from the data dictionary and the served utilities; a view waits for them
// (and shows codes when they cannot be had)
const labelsLoaded = Promise.all([getJson("/v1/dictionary"), getJson("/v1/utilities").catch(() => ({ data: [] }))]).then(
  ([dictionary, utilities]) => useLabels(dictionary, utilities),
  () => {},
);

let showing = null; // the AbortController of the view on screen

async function show(moved) {
  const hash = location.hash.startsWith("#/") ? location.hash : "#/";
  const [path, query = ""] = hash.slice(1).split("?");
  const match = ROUTES.map((r) => [r, path.match(r.pattern)]).find(([, found]) => found);
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === match?.[0].nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  showing?.abort();
  const controller = new AbortController();
  showing = controller;
  // each view draws into its own element: one a newer navigation replaced draws nowhere visible
  const root = h("div", { class: "view" });
  const main = document.getElementById("main");
  replace(main, root);
  main.setAttribute("aria-busy", "true");
  try {
    await labelsLoaded;
    if (match) await match[0].view({ root, params: new URLSearchParams(query), match: match[1], signal: controller.signal });
    else notFound(root);
  } catch (error) {
    if (error.name !== "AbortError") replace(root, h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message));
  } finally {
    if (showing === controller) main.removeAttribute("aria-busy");
  }
  if (moved && showing === controller) main.focus({ preventScroll: false });
}

function notFound(root) {
  document.title = "Not found — hostcap explorer";
  replace(root, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/" }, "Go to the overview")));
}

/** The header line naming the snapshot served, so a reader knows what the pages show. */
async function showServed() {
  const served = document.getElementById("served");
  try {
    const ready = await getJson("/readyz");
    replace(served, "Snapshot ", h("code", {}, ready.snapshot), `, published ${when(ready.published_at)}`);
  } catch (error) {
    replace(served, `No data served yet: ${error.message}`);
  }
}

// the skip link moves the focus without touching the hash, which holds the route
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", () => show(true));
show(false);
showServed();
