// @ts-check
import { h } from './dom.js';

/**
 * @typedef {{ id: string, info: unknown }} Member
 */

/** The name a member shows: the nickname the server took from its connect URL. @param {Member} member */
function nameOf(member) {
  const info = /** @type {{ name?: unknown } | null} */ (member.info);
  return info && typeof info.name === 'string' && info.name ? info.name : 'anonymous';
}

/** The room's members, live: a full list on every (re)subscribe, then join and leave events. */
export class MemberList {
  /** @type {Map<string, Member>} */
  #members = new Map();

  /** @param {HTMLElement} list */
  constructor(list) {
    this.list = list;
  }

  clear() {
    this.#members.clear();
    this.#render();
  }

  /** @param {Member[]} members */
  reset(members) {
    this.#members = new Map(members.filter((member) => member && typeof member.id === 'string').map((member) => [member.id, member]));
    this.#render();
  }

  /** @param {Member} member */
  add(member) {
    if (!member || typeof member.id !== 'string') return;
    this.#members.set(member.id, member);
    this.#render();
  }

  /** @param {Member} member */
  remove(member) {
    if (!member || typeof member.id !== 'string') return;
    this.#members.delete(member.id);
    this.#render();
  }

  #render() {
    const names = [...this.#members.values()].map(nameOf).sort((a, b) => a.localeCompare(b));
    this.list.replaceChildren(...names.map((name) => h('li', { class: 'member', text: name })));
  }
}
