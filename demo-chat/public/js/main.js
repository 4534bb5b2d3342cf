// @ts-check
import { byId } from './dom.js';
import { ChatSession } from './chat.js';
import { showConnection } from './connection.js';
import { roomFromAddress, saveNickname, savedNickname, savedRooms } from './identity.js';
import { RoomList } from './rooms.js';

/** The client's browser bundle (`/firetower/client.js`) sets the global `Firetower`. */
const Firetower = /** @type {any} */ (globalThis).Firetower?.Firetower;

showNodeName();
if (typeof Firetower !== 'function') {
  showConnection('closed');
  const notice = byId('bundle-missing');
  notice.hidden = false;
} else {
  const nickname = savedNickname();
  if (nickname) start(nickname);
  else askNickname();
}

function askNickname() {
  const form = /** @type {HTMLFormElement} */ (byId('join'));
  const input = /** @type {HTMLInputElement} */ (byId('nickname'));
  form.hidden = false;
  input.focus();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    saveNickname(name);
    form.hidden = true;
    start(name);
  });
}

/** @param {string} name */
function start(name) {
  byId('chat').hidden = false;
  byId('me').textContent = name;

  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // A demo wants a quick comeback after a restart: retries back off to 5 s at most.
  // The nickname rides on the connect URL: the server shows it in the room's member list.
  const url = `${scheme}//${location.host}/ws?name=${encodeURIComponent(name)}`;
  const client = new Firetower(url, { reconnectDelayMaxMs: 5000 });
  const session = new ChatSession(client, name);
  showConnection(client.state);
  client.on('state', (/** @type {{ previous: string, current: string }} */ change) => {
    showConnection(/** @type {any} */ (change.current));
    if (change.current === 'reconnecting' && change.previous === 'open') session.note('Connection lost, reconnecting…');
    if (change.current === 'open' && change.previous === 'reconnecting') session.note('Back online.');
  });
  // Refusals on resubscribe and other errors no promise carries: show them, never throw.
  client.on('error', (/** @type {Error} */ error) => console.warn('firetower:', error.message));

  const rooms = new RoomList(savedRooms(), (room) => {
    rooms.activate(room);
    session.join(room);
    byId('message-input').focus();
  });
  const first = roomFromAddress();
  rooms.activate(first);
  session.join(first);

  const composer = /** @type {HTMLFormElement} */ (byId('composer'));
  const input = /** @type {HTMLInputElement} */ (byId('message-input'));
  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    session.send(input.value);
    input.value = '';
  });
  input.focus();
}

async function showNodeName() {
  try {
    const config = await (await fetch('/config.json')).json();
    byId('node-name').textContent = String(config.nodeName ?? '');
  } catch {
    /* the name is decoration only */
  }
}
