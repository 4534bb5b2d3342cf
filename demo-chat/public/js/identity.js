// @ts-check
/** Who this tab is: nickname (kept in localStorage), a per-tab sender id, message ids, rooms. */

const NICKNAME_KEY = 'firetower-chat:nickname';
const ROOMS_KEY = 'firetower-chat:rooms';
export const DEFAULT_ROOMS = ['world', 'news', 'random'];
const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const params = new URLSearchParams(location.search);

/** Identifies this tab's own messages when they come back from the server. */
export const tabId = randomId(12);
let messageCounter = 0;

/** @returns {string} unique per tab; the server accepts [A-Za-z0-9_-]{1,64} */
export function newMessageId() {
  messageCounter += 1;
  return `${tabId}-${messageCounter}`;
}

/** `?name=` wins (handy for trying several users), then the last nickname used here. */
export function savedNickname() {
  const fromUrl = params.get('name')?.trim();
  if (fromUrl) return fromUrl.slice(0, 32);
  return readStorage(NICKNAME_KEY) ?? '';
}

/** @param {string} nickname */
export function saveNickname(nickname) {
  writeStorage(NICKNAME_KEY, nickname);
}

/** The room in the address (`#room`), so a reload or a shared link lands in the same room. */
export function roomFromAddress() {
  return normaliseRoomName(decodeURIComponent(location.hash.slice(1))) ?? 'world';
}

/** @param {string} room */
export function showRoomInAddress(room) {
  history.replaceState(null, '', `#${room}`);
}

/**
 * Lower-cases and turns spaces into dashes; undefined when the result is not a valid room name.
 * @param {string} input
 * @returns {string | undefined}
 */
export function normaliseRoomName(input) {
  const name = input.trim().toLowerCase().replace(/\s+/g, '-');
  return ROOM_NAME.test(name) ? name : undefined;
}

/** @returns {string[]} */
export function savedRooms() {
  try {
    const parsed = JSON.parse(readStorage(ROOMS_KEY) ?? '[]');
    const rooms = Array.isArray(parsed) ? parsed.filter((r) => typeof r === 'string' && ROOM_NAME.test(r)) : [];
    return [...new Set([...DEFAULT_ROOMS, ...rooms])];
  } catch {
    return [...DEFAULT_ROOMS];
  }
}

/** @param {string[]} rooms */
export function saveRooms(rooms) {
  writeStorage(ROOMS_KEY, JSON.stringify(rooms.filter((room) => !DEFAULT_ROOMS.includes(room))));
}

/** @param {number} length */
function randomId(length) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

// Storage can be unavailable (private mode, blocked cookies): the chat still works without it.
/** @param {string} key */
function readStorage(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** @param {string} key @param {string} value */
function writeStorage(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* not kept: fine for a demo */
  }
}
