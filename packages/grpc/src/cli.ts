/**
 * firetower-push: publish one message through the gRPC push API.
 *
 *   firetower-push --grpc 127.0.0.1:50051 [--token T] /chat/world '{"text":"hi"}'
 */
import { parseArgs } from 'node:util';

const USAGE = `usage: firetower-push --grpc HOST:PORT [--token TOKEN] [--text] [--exclude CLIENT_ID] [--key IDEMPOTENCY_KEY] TOPIC [DATA]

  DATA is JSON text (delivered parsed); with --text it is delivered as a plain string.
  Without DATA the message's data is null. The token may also come from $FIRETOWER_ADMIN_TOKEN.
  With --key, a retry the server already saw prints "duplicate (suppressed by idempotency key ...)":
  the message was delivered once, by the first publish.
  Exit codes: 0 published (or a suppressed duplicate), 1 refused or failed (the gRPC status is
  printed), 2 bad usage.`;

interface CliArgs {
  target: string;
  token: string | undefined;
  topic: string;
  data: string | undefined;
  text: boolean;
  exclude: string | undefined;
  key: string | undefined;
}

function parse(argv: string[]): CliArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        grpc: { type: 'string' },
        token: { type: 'string' },
        text: { type: 'boolean', default: false },
        exclude: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values, positionals } = parsed;
  if (values.help) return '';
  if (values.grpc === undefined) return 'missing --grpc HOST:PORT';
  const [topic, data, ...rest] = positionals;
  if (topic === undefined) return 'missing TOPIC';
  if (rest.length > 0) return 'too many arguments (quote the JSON data)';
  return {
    target: values.grpc,
    token: values.token ?? process.env.FIRETOWER_ADMIN_TOKEN,
    topic,
    data,
    text: values.text === true,
    exclude: values.exclude,
    key: values.key,
  };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args === '') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    process.stderr.write(`firetower-push: ${args}\n${USAGE}\n`);
    return 2;
  }
  // Loaded after the arguments are checked: a usage error answers without loading grpc-js.
  const { createPushClient } = await import('./client.js');
  const client = createPushClient(args.target, args.token === undefined ? {} : { token: args.token });
  try {
    const reply = await client.publish({
      topic: args.topic,
      ...(args.data === undefined ? {} : args.text ? { text: args.data } : { json: args.data }),
      ...(args.exclude === undefined ? {} : { excludeClientId: args.exclude }),
      ...(args.key === undefined ? {} : { idempotencyKey: args.key }),
    });
    process.stdout.write(
      reply.duplicate
        ? `duplicate (suppressed by idempotency key ${JSON.stringify(args.key ?? '')}): not delivered again to ${args.topic}\n`
        : `published to ${args.topic}\n`,
    );
    return 0;
  } catch (error) {
    const { code, details } = error as { code?: number; details?: string };
    process.stderr.write(`firetower-push: ${details ?? String(error)}${code === undefined ? '' : ` (gRPC status ${code})`}\n`);
    return 1;
  } finally {
    client.close();
  }
}

// Not caught on purpose: main() answers every expected failure with an exit code, so a rejection
// is a bug, and Node's unhandled-rejection crash (stack trace, exit code 1) is the right report.
void main().then((code) => {
  process.exitCode = code;
});
