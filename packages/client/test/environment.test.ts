import { expect, test } from 'vitest';
import { browserEnvironment, type EnvironmentChange } from '@firetower/client';

/** A window and a document made of Node's own EventTarget, the API the browser gives. */
function page() {
  const win = new EventTarget();
  const navigator = { onLine: true };
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const environment = browserEnvironment({
    addEventListener: win.addEventListener.bind(win),
    removeEventListener: win.removeEventListener.bind(win),
    navigator,
    document,
  });
  return { win, navigator, document, environment };
}

test('reports online/offline from the window and visibility from the document', () => {
  const { win, navigator, document, environment } = page();
  const changes: EnvironmentChange[] = [];
  const stop = environment.watch((change) => changes.push(change));
  navigator.onLine = false;
  win.dispatchEvent(new Event('offline'));
  expect(environment.isOnline()).toBe(false);
  document.visibilityState = 'hidden';
  document.dispatchEvent(new Event('visibilitychange'));
  expect(environment.isVisible()).toBe(false);
  document.visibilityState = 'visible';
  document.dispatchEvent(new Event('visibilitychange'));
  win.dispatchEvent(new Event('online'));
  expect(changes).toEqual(['offline', 'hidden', 'visible', 'online']);
  stop();
  win.dispatchEvent(new Event('offline'));
  expect(changes).toHaveLength(4);
});

test('outside a browser it is always online and visible, and watching is harmless', () => {
  const environment = browserEnvironment({});
  expect(environment.isOnline()).toBe(true);
  expect(environment.isVisible()).toBe(true);
  environment.watch(() => {
    throw new Error('no events expected');
  })();
});
