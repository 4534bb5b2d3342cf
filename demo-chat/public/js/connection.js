// @ts-check
import { byId } from './dom.js';

/** The client's states, as the indicator names them. */
const LABELS = /** @type {const} */ ({
  idle: 'connecting',
  connecting: 'connecting',
  open: 'online',
  reconnecting: 'reconnecting',
  closed: 'offline',
});

/** @param {keyof typeof LABELS} state the client's `state` */
export function showConnection(state) {
  const label = LABELS[state] ?? state;
  byId('connection').dataset.state = label;
  byId('connection-label').textContent = label;
}
