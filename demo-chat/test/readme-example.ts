import { createChatServer } from '@firetower/demo-chat';
const chat = await createChatServer({ port: 0 });
console.log(chat.url);
await chat.close();
