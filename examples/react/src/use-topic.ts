/**
 * `useTopic(topic)`: the messages of one Firetower topic as React state, and a `publish` for it.
 *
 * One client per `<FiretowerProvider>`, made in an effect: effects never run during server-side
 * rendering, so rendering on the server never opens a socket (or needs `WebSocket` at all), and
 * the first client render matches the server's HTML (no messages yet). Each `useTopic` holds its
 * own subscription; the client shares one server subscription per topic between them.
 */
import { createContext, createElement, useCallback, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { Firetower } from '@firetower/client';
import type { FiretowerState, PublishResult } from '@firetower/client';

const FiretowerContext = createContext<Firetower | null>(null);

export interface FiretowerProviderProps {
  /** The server's WebSocket endpoint; a relative URL resolves against the page. */
  url: string;
  children?: ReactNode;
}

/** Connects while mounted (in the browser only) and closes on unmount or when `url` changes. */
export function FiretowerProvider({ url, children }: FiretowerProviderProps) {
  const [client, setClient] = useState<Firetower | null>(null);
  useEffect(() => {
    const created = new Firetower(url);
    setClient(created);
    return () => {
      created.close();
      setClient(null);
    };
  }, [url]);
  return createElement(FiretowerContext.Provider, { value: client }, children);
}

export interface TopicState<T> {
  /** The messages received since the topic was subscribed, oldest first (at most `limit`). */
  messages: T[];
  /** The connection's state; `'idle'` until the client exists (on the server, and the first render). */
  state: FiretowerState | 'idle';
  /** Publishes to the topic; resolves with the server's ack. Rejects before the client exists. */
  publish: (data: T) => Promise<PublishResult>;
}

export function useTopic<T = unknown>(topic: string, { limit = 100 }: { limit?: number } = {}): TopicState<T> {
  const client = useContext(FiretowerContext);
  const [messages, setMessages] = useState<T[]>([]);
  const [state, setState] = useState<FiretowerState | 'idle'>('idle');

  useEffect(() => {
    if (!client) return;
    setMessages([]);
    const subscription = client.subscribe(topic, (message) => {
      setMessages((previous) => [...previous, message as T].slice(-limit));
    });
    return () => subscription.unsubscribe();
  }, [client, topic, limit]);

  useEffect(() => {
    if (!client) return;
    setState(client.state);
    const onState = ({ current }: { current: FiretowerState }) => setState(current);
    client.on('state', onState);
    return () => void client.off('state', onState);
  }, [client]);

  const publish = useCallback((data: T) => (client ? client.publish(topic, data) : Promise.reject(new Error('not connected yet'))), [client, topic]);
  return { messages, state, publish };
}
