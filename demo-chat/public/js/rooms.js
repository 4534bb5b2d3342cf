// @ts-check
import { byId, h } from './dom.js';
import { normaliseRoomName, saveRooms } from './identity.js';

/** The room list and the "new room" form. Selecting or creating a room calls `onSelect`. */
export class RoomList {
  /** @param {string[]} rooms @param {(room: string) => void} onSelect */
  constructor(rooms, onSelect) {
    this.rooms = rooms;
    this.onSelect = onSelect;
    /** @type {string | undefined} */
    this.active = undefined;
    this.list = byId('room-list');
    this.hint = byId('new-room-hint');
    const form = /** @type {HTMLFormElement} */ (byId('new-room'));
    const input = /** @type {HTMLInputElement} */ (byId('new-room-name'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const room = normaliseRoomName(input.value);
      if (!room) {
        this.#hint('Room names use a–z, 0–9, - and _ (up to 32).');
        return;
      }
      this.#hint('');
      input.value = '';
      this.onSelect(room);
    });
  }

  /** Marks `room` as the current one, adding it to the list when it is new. @param {string} room */
  activate(room) {
    if (!this.rooms.includes(room)) {
      this.rooms.push(room);
      saveRooms(this.rooms);
    }
    this.active = room;
    this.#render();
  }

  #render() {
    this.list.replaceChildren(
      ...this.rooms.map((room) =>
        h('li', {}, [
          h('button', {
            type: 'button',
            class: room === this.active ? 'room-link active' : 'room-link',
            'aria-current': room === this.active ? 'true' : undefined,
            dataset: { room },
            text: `#${room}`,
            onclick: () => this.onSelect(room),
          }),
        ]),
      ),
    );
  }

  /** @param {string} text */
  #hint(text) {
    this.hint.textContent = text;
    this.hint.hidden = text === '';
  }
}
