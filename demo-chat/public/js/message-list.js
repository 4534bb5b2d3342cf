// @ts-check
import { h } from './dom.js';

/**
 * @typedef {{ type: 'chat', from: string, text: string, sid: string, mid: string }} ChatPost
 * @typedef {ChatPost & { time: number }} ChatMessage
 * @typedef {'sending' | 'sent' | 'failed'} LineState
 */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The room's messages. Own messages appear at once as `sending`, become `sent` on the server's
 * acknowledgement or echo, and `failed` (with a Retry button) when the publish is refused or
 * times out. Everything is rendered with text nodes only.
 */
export class MessageList {
  /** @type {Map<string, OwnLine>} own lines by message id, until the server's echo arrives */
  #own = new Map();

  /** @param {HTMLElement} list @param {string} tabId */
  constructor(list, tabId) {
    this.list = list;
    this.tabId = tabId;
  }

  clear() {
    this.#own.clear();
    this.list.replaceChildren();
  }

  /** A line from the page itself (joined, reconnecting...). @param {string} text */
  system(text) {
    this.#append(h('li', { class: 'system', text }));
  }

  /**
   * A message delivered on the room's topic.
   * @param {ChatMessage} message
   */
  receive(message) {
    const own = message.mid ? this.#own.get(message.mid) : undefined;
    if (own) {
      this.#own.delete(message.mid);
      own.confirm(message.time);
      return;
    }
    const line = renderLine(message, message.sid === this.tabId);
    line.dataset.state = 'sent';
    this.#append(line);
  }

  /**
   * Shows one of our messages before the server has it.
   * @param {ChatPost} post
   * @param {() => void} retry called by the Retry button
   * @returns {OwnLine}
   */
  sending(post, retry) {
    const element = renderLine({ ...post, time: Date.now() }, true);
    const line = new OwnLine(element, retry);
    this.#own.set(post.mid, line);
    this.#append(element);
    return line;
  }

  /** @param {HTMLElement} element */
  #append(element) {
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 48;
    this.list.append(element);
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }
}

/** One of our own messages: one state machine, `sending` → `sent` | `failed` → `sending` ... */
class OwnLine {
  /** @type {LineState} */
  state = 'sending';

  /** @param {HTMLElement} element @param {() => void} retry */
  constructor(element, retry) {
    this.element = element;
    this.retry = retry;
    this.#setState('sending');
  }

  /** The publish was acknowledged, or its echo came back with the server's time. @param {number} [time] */
  confirm(time) {
    if (time !== undefined) setTime(this.element, time);
    this.#setState('sent');
  }

  /** Sent again: back to `sending` unless the echo already arrived. */
  resend() {
    if (this.state !== 'sent') this.#setState('sending');
  }

  /** @param {string} reason */
  fail(reason) {
    if (this.state === 'sent') return;
    this.#setState('failed', reason);
  }

  /** @param {LineState} state @param {string} [reason] */
  #setState(state, reason) {
    this.state = state;
    this.element.dataset.state = state;
    const status = this.element.querySelector('.status');
    if (!status) return;
    if (state === 'sending') status.replaceChildren(h('span', { text: 'sending…' }));
    else if (state === 'sent') status.replaceChildren();
    else {
      status.replaceChildren(
        h('span', { class: 'reason', 'data-testid': 'failure', text: `Not sent: ${reason ?? 'unknown error'}` }),
        h('button', { type: 'button', class: 'retry', 'data-testid': 'retry', text: 'Retry', onclick: () => this.retry() }),
      );
    }
  }
}

/** @param {ChatMessage} message @param {boolean} own */
function renderLine(message, own) {
  const line = h('li', { class: own ? 'msg own' : 'msg', dataset: { mid: message.mid } }, [
    h('div', { class: 'meta' }, [
      h('span', { class: 'from', 'data-testid': 'from', text: message.from }),
      own ? h('span', { class: 'you', text: 'you' }) : '',
      h('time', { class: 'time' }),
    ]),
    h('p', { class: 'text', 'data-testid': 'text', text: message.text }),
    h('div', { class: 'status', 'aria-live': 'polite' }),
  ]);
  setTime(line, message.time);
  return line;
}

/** @param {HTMLElement} element @param {number} time */
function setTime(element, time) {
  const slot = element.querySelector('time');
  if (!slot) return;
  const date = new Date(time);
  slot.dateTime = date.toISOString();
  slot.textContent = timeFormat.format(date);
}
