/** Reading the demo's environment variables, with clear errors instead of NaN ports. */
import { randomBytes } from 'node:crypto';

export function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}

/** An optional port: undefined when the variable is unset or empty. */
export function envOptionalPort(name: string): number | undefined {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? undefined : envPort(name, 0);
}

export function envString(name: string): string | undefined {
  const raw = process.env[name]?.trim();
  return raw ? raw : undefined;
}

/** `$FIRETOWER_ADMIN_TOKEN`, or a fresh random token (`generated: true`) to print at start. */
export function adminToken(): { token: string; generated: boolean } {
  const given = envString('FIRETOWER_ADMIN_TOKEN');
  return given ? { token: given, generated: false } : { token: randomBytes(18).toString('base64url'), generated: true };
}
