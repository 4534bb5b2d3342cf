// @ts-check
/**
 * Builds elements. Text only ever goes in through `textContent` or text nodes, so user text (a
 * nickname, a message, a room name) is never parsed as HTML.
 *
 * @param {string} tag
 * @param {Record<string, unknown>} [props] `class`, `text`, `dataset`, `on<event>` or attributes
 * @param {Array<Node | string>} [children] strings become text nodes
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, children = []) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'text') element.textContent = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}
