/**
 * Loads the shipped .proto files at runtime. The path is resolved from this module's own URL so
 * the same code works from `src/` (tests) and from `dist/` (the published package): both sit one
 * level below the package root, next to `proto/`.
 */
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/** The folder holding `firetower.proto` and `grpc/health/v1/health.proto`. */
export const PROTO_DIR: string = fileURLToPath(new URL('../proto/', import.meta.url));
/** Absolute path of the shipped `firetower.proto` (package `firetower.v1`). */
export const FIRETOWER_PROTO_PATH: string = fileURLToPath(new URL('../proto/firetower.proto', import.meta.url));
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

export const FIRETOWER_SERVICE = 'firetower.v1.Firetower';
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

/**
 * The options our handlers are written against: camelCase fields, 64-bit integers as JS
 * numbers (counters stay far below 2^53), enums as names, unset fields filled with defaults and
 * a virtual `data` field naming the oneof case that is set.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** Firetower and health services in one package definition, so reflection can list both. */
export function loadPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(['firetower.proto', HEALTH_PROTO], LOADER_OPTIONS);
}
