import { useState } from 'react';
import type { FormEvent } from 'react';
import { FiretowerProvider, useTopic } from './use-topic.js';

interface Note {
  from: string;
  text: string;
}

function Room({ topic }: { topic: string }) {
  const { messages, state, publish } = useTopic<Note>(topic);
  const [text, setText] = useState('');
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    void publish({ from: 'react', text });
    setText('');
  };
  return (
    <section>
      <h1>
        {topic} <small data-testid="state">{state}</small>
      </h1>
      <ul data-testid="messages">
        {messages.map((message, index) => (
          <li key={index}>
            {message.from}: {message.text}
          </li>
        ))}
      </ul>
      <form onSubmit={send}>
        <input aria-label="message" value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" disabled={state !== 'open'}>
          Send
        </button>
      </form>
    </section>
  );
}

export function App({ url = '/ws' }: { url?: string }) {
  return (
    <FiretowerProvider url={url}>
      <Room topic="/chat/react" />
    </FiretowerProvider>
  );
}
