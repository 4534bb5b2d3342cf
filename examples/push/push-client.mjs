import { createPushClient } from '@firetower/grpc';

const push = createPushClient(`127.0.0.1:${process.env.GRPC_PORT ?? 50051}`, { token: process.env.FIRETOWER_ADMIN_TOKEN });
await push.publish({ topic: '/chat/world', json: JSON.stringify({ type: 'chat', from: 'ops', text: 'hi' }) });
push.close();
