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

/**
 * The start-up line about the admin dashboard. The URL carries the token only when this run made
 * the token up: a token from the environment is a secret someone chose, and printing it would put
 * it in terminal scrollback and log files.
 */
export function dashboardLine(baseUrl: string, admin: { token: string; generated: boolean }): string {
  const page = `${baseUrl}/firetower/dashboard`;
  return admin.generated
    ? `admin dashboard ${page}?token=${encodeURIComponent(admin.token)} (token generated for this run; set FIRETOWER_ADMIN_TOKEN to choose one)`
    : `admin dashboard ${page}?token=<your FIRETOWER_ADMIN_TOKEN>`;
}
