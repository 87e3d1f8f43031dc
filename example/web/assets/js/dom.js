/**
 * DOM helpers. Text always goes in through `textContent` / text nodes, never as HTML, so data
 * from the server cannot become markup.
 */

/**
 * Creates an element with attributes (`class`, `aria-*`, `data-*`, ...) and children (nodes or
 * strings, added as text).
 *
 * @example el('td', { class: 'muted' }, session.ip ?? 'unknown')
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Replaces every child of `node` with `children`. */
export function replace(node, ...children) {
  node.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
}

/** A date-time as the reader's locale shows it, or an em dash when missing. */
export function formatTime(value) {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** The element with this id; throws when the page lacks it (a broken page, not a user error). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}
