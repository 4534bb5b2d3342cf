import express from 'express';
import { firetower, FiretowerRefusal } from '@firetower/server';

// Your session store; a Map here so the example is complete.
const sessions = new Map<string, { id: string; name: string }>();

const app = express();
const ft = firetower<{ name: string }>({
  path: '/ws',
  allowedOrigins: ['https://app.example.com'],
  hooks: {
    // Refuse with a reason the browser can read (close 4500; `authRefusal: 'http'` for a real 401).
    authenticate: async ({ cookies }) => {
      const user = cookies.sid ? sessions.get(cookies.sid) : undefined;
      if (!user) throw new FiretowerRefusal('log in first', { status: 401 });
      return { userId: user.id, data: { name: user.name } };
    },
    beforeSubscribe: (tower, topics) => ({ allow: topics.filter((t) => t.startsWith('/chat/')) }),
    // Client publishes are off unless allowed: chat rooms only.
    canPublish: (tower, topic) => topic.startsWith('/chat/'),
    onMessage: (tower, message) => ({ data: { ...(message.data as object), from: tower.data.name } }),
  },
});
app.use(ft);
// Live subscriber counts (cluster-wide, debounced), as the chat demo shows them.
ft.onCountChange(({ topic, count }) => void ft.publish(`/count${topic}`, count));
app.listen(3000);
