// The server entry: renders <App> to HTML. No client is made here (see use-topic.ts).
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { App } from './app.js';

export function render(): string {
  return renderToString(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
