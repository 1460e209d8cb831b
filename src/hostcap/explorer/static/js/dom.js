// Building DOM nodes without innerHTML: every value from the API goes in as text, never as markup.

/**
 * h("a", {href: "#/", class: "x", onclick: fn, dataset: {k: "v"}}, "text", child, [more])
 * Attributes whose value is null, undefined or false are left out; children may be nested arrays.
 */
export function h(tag, attrs = {}, ...children) {
  const svg = SVG_TAGS.has(tag);
  const node = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

/** A text node: for libraries (Leaflet's tooltips) that would write a string as HTML. */
export const asNode = (text) => document.createTextNode(text);

/** Replace everything inside `node` with `children`. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const SVG_TAGS = new Set(["svg", "g", "rect", "text", "title", "desc", "line"]);

let nextId = 0;
/** A document-unique id for aria-labelledby and label/for pairs. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** The browser tab's title for a view. */
export function setTitle(text) {
  document.title = `${text} — hostcap explorer`;
}
