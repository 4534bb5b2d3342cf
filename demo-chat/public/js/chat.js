// @ts-check
import { byId } from './dom.js';
import { newMessageId, showRoomInAddress, tabId } from './identity.js';
import { MessageList } from './message-list.js';
import { MemberList } from './members.js';

/** Messages of a room shown at once when joining it (the server keeps as many). */
const SCROLLBACK = 50;

/**
 * @typedef {import('./message-list.js').ChatMessage} ChatMessage
 * @typedef {{ type: 'count', count: number }} CountMessage
 * @typedef {{ id: string, info: unknown }} Member
 * @typedef {{ unsubscribe(): void, ready: Promise<unknown>, on(event: string, listener: (value: any) => void): void, presence(): Promise<{ members: Member[] }> }} Subscription
 * @typedef {{ code?: string, message?: string, reason?: string }} ClientError
 */

/**
 * One tab's chat: the current room's subscription, its messages and online count, sending with
 * retry. The client resubscribes the room itself after a reconnect, so a switch is the only
 * place a subscription changes.
 */
export class ChatSession {
  /** @type {Subscription | undefined} */
  #subscription;
  /** @type {string | undefined} */
  room;

  /** @param {any} client a `Firetower` from the browser bundle @param {string} nickname */
  constructor(client, nickname) {
    this.client = client;
    this.nickname = nickname;
    this.messages = new MessageList(byId('messages'), tabId);
    this.members = new MemberList(byId('members'));
    this.title = byId('room-title');
    this.online = byId('online-count');
    this.error = byId('room-error');
    this.input = /** @type {HTMLInputElement} */ (byId('message-input'));
    this.sendButton = /** @type {HTMLButtonElement} */ (byId('send'));
  }

  /** Leaves the current room (if any) and joins `room`. @param {string} room */
  join(room) {
    if (room === this.room) return;
    this.#subscription?.unsubscribe();
    this.room = room;
    const topic = `/chat/${room}`;
    showRoomInAddress(room);
    this.title.textContent = `#${room}`;
    this.online.textContent = '… online';
    this.input.placeholder = `Message #${room}`;
    this.#showError('');
    this.#setComposer(true);
    this.messages.clear();
    this.members.clear();

    // The room's last messages arrive first (its history), then live ones; after a network drop
    // the client fetches what it missed by itself. `presence: true` brings join/leave events.
    /** @type {Subscription} */
    const subscription = this.client.subscribe(
      topic,
      (/** @type {ChatMessage | CountMessage} */ data) => {
        if (this.#subscription === subscription) this.#deliver(data);
      },
      { since: { limit: SCROLLBACK }, presence: true },
    );
    this.#subscription = subscription;
    subscription.on('join', (/** @type {Member} */ member) => {
      if (this.#subscription === subscription) this.members.add(member);
    });
    subscription.on('leave', (/** @type {Member} */ member) => {
      if (this.#subscription === subscription) this.members.remove(member);
    });
    // Every (re)subscribe: who is here now (after a reconnect the list may have changed).
    subscription.on('subscribed', () => {
      subscription.presence().then(
        (list) => {
          if (this.#subscription === subscription) this.members.reset(list.members);
        },
        () => {},
      );
    });
    subscription.ready.then(
      () => {
        if (this.#subscription === subscription) this.messages.system(`You joined #${room} as ${this.nickname}.`);
      },
      (/** @type {ClientError} */ error) => {
        if (this.#subscription !== subscription) return;
        this.online.textContent = '– online';
        this.#showError(`Cannot join #${room}: ${refusalReason(error)}`);
        this.#setComposer(false);
      },
    );
  }

  /** @param {string} text */
  send(text) {
    if (text.trim() === '' || !this.room) return;
    const topic = `/chat/${this.room}`;
    const post = { type: /** @type {const} */ ('chat'), from: this.nickname, text, sid: tabId, mid: newMessageId() };
    const line = this.messages.sending(post, () => {
      line.resend();
      publish();
    });
    const publish = () => {
      this.client.publish(topic, post).then(
        () => line.confirm(),
        (/** @type {ClientError} */ error) => line.fail(describeFailure(error)),
      );
    };
    publish();
  }

  /** A connection change worth a line in the room. @param {string} text */
  note(text) {
    this.messages.system(text);
  }

  /** @param {ChatMessage | CountMessage} data */
  #deliver(data) {
    if (data && data.type === 'count' && typeof data.count === 'number') {
      this.online.textContent = `${data.count} online`;
    } else if (data && data.type === 'chat' && typeof data.text === 'string') {
      // Messages pushed by the server (the admin API) may lack the fields a browser sends.
      this.messages.receive({
        type: 'chat',
        from: typeof data.from === 'string' && data.from ? data.from : 'server',
        text: data.text,
        sid: typeof data.sid === 'string' ? data.sid : '',
        mid: typeof data.mid === 'string' ? data.mid : '',
        time: typeof data.time === 'number' && data.time > 0 ? data.time : Date.now(),
      });
    }
  }

  /** @param {string} text */
  #showError(text) {
    this.error.textContent = text;
    this.error.hidden = text === '';
  }

  /** @param {boolean} enabled */
  #setComposer(enabled) {
    this.input.disabled = !enabled;
    this.sendButton.disabled = !enabled;
  }
}

/**
 * The server's own reason for a refused subscribe.
 * @param {ClientError} error
 */
function refusalReason(error) {
  return error.reason ?? error.message ?? 'refused';
}

/** Words for the client's error codes; a refusal carries the server's own reason. @param {ClientError} error */
function describeFailure(error) {
  switch (error.code) {
    case 'refused':
      return error.message ?? 'refused by the server';
    case 'timeout':
      return 'the server did not answer in time';
    case 'rate_limited':
      return 'sending too fast';
    case 'too_large':
      return 'the message is too large';
    case 'queue_full':
      return 'too many messages are waiting for the connection';
    case 'closed':
      return 'not connected';
    default:
      return error.message ?? 'unknown error';
  }
}
