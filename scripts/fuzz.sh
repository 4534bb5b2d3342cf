#!/usr/bin/env bash
# A long fuzzing campaign: every fast-check fuzz test of the repository with FUZZ_RUNS raised
# (default 20000 runs each; `pnpm fuzz 100000` for more) and a random seed (printed on failure:
# replay it with FUZZ_SEED where a test supports it). In `pnpm test` the same tests run bounded,
# with a fixed seed in CI. Each test prints how much it sent.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20000}"
pnpm build >/dev/null
unset CI
FUZZ_RUNS="$runs" exec pnpm vitest run --testTimeout=3600000 --hookTimeout=60000 \
  packages/protocol/test/codec.fuzz.test.ts \
  packages/server/test/live-fuzz.test.ts \
  packages/server/test/admin-fuzz.test.ts \
  packages/client/test/fuzz.test.ts \
  packages/grpc/test/fuzz.test.ts \
  packages/topic-service/test/service-fuzz.test.ts
