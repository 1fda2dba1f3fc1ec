// The standalone webhook's settings, read and validated once from the environment (plus an optional
// .env in the working directory; the environment wins).
import fs from 'node:fs';
import net from 'node:net';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { DEFAULT_WHATSAPP_API_URL } from './responder.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

// A user name or password inside a URL is quoted by the error of a failed request (logged, stored with the event)
// and printed in the banner: credentials go in their own variables.
const noCredentials = (v: string) => {
  try {
    const u = new URL(v);
    return u.username === '' && u.password === '';
  } catch {
    return true; // not a URL: .url() says so
  }
};

const schema = z.object({
  WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEBHOOK_HOST: z.string().min(1).default('0.0.0.0'),
  WEBHOOK_DATA_DIR: z.string().min(1).default('./data/webhook'),
  WHATSAPP_APP_SECRET: z.string({ error: 'WHATSAPP_APP_SECRET is required: the app secret that signs X-Hub-Signature-256' }).min(1, 'WHATSAPP_APP_SECRET must not be empty'),
  WHATSAPP_VERIFY_TOKEN: optional,
  WHATSAPP_ACCESS_TOKEN: optional,
  WHATSAPP_API_URL: z
    .string()
    .url('WHATSAPP_API_URL must be a URL')
    .refine(noCredentials, 'WHATSAPP_API_URL must not hold a user name or password; the token goes in WHATSAPP_ACCESS_TOKEN')
    .default(DEFAULT_WHATSAPP_API_URL),
  WHATSAPP_PHONE_NUMBER_ID: optional,
  WEBHOOK_TOKEN: optional,
  WEBHOOK_ALLOW_NO_TOKEN: z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''], { error: 'WEBHOOK_ALLOW_NO_TOKEN must be 1 or 0' })
    .default('0')
    .transform((v) => v === '1' || v === 'true' || v === 'yes'),
  WEBHOOK_PUBLIC_URL: z.string().url('WEBHOOK_PUBLIC_URL must be a URL').refine(noCredentials, 'WEBHOOK_PUBLIC_URL must not hold a user name or password').optional(),
  WEBHOOK_TIMEZONE: z
    .string()
    .default('Asia/Kolkata')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'WEBHOOK_TIMEZONE must be an IANA time zone, e.g. Asia/Kolkata'),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  WEBHOOK_ABANDON_MINUTES: z.coerce.number().positive().default(30),
  WEBHOOK_ADVISORS_FILE: optional,
});

export interface WebhookSettings {
  port: number;
  host: string;
  dataDir: string;
  appSecret: string;
  verifyToken?: string;
  accessToken?: string;
  apiUrl: string;
  phoneNumberId?: string;
  token?: string;
  /** No token on an address other machines can reach, accepted with WEBHOOK_ALLOW_NO_TOKEN=1 (warned at start). */
  openWithoutToken: boolean;
  publicUrl?: string;
  timeZone: string;
  retentionDays: number;
  abandonAfterMinutes: number;
  advisorsFile?: string;
}

export class SettingsError extends Error {}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6'); // BlockList also matches IPv4-mapped ::ffff:127.x against the IPv4 rule

/** Only this machine can connect: 127.0.0.0/8, ::1 (in any spelling), localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = net.isIP(h);
  return family !== 0 && loopback.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, dotenvFile = '.env'): WebhookSettings {
  const fromFile = fs.existsSync(dotenvFile) ? parseDotenv(fs.readFileSync(dotenvFile)) : {};
  // As in the gateway: an empty variable in the environment does not blank out what .env sets.
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  const r = schema.safeParse(merged);
  if (!r.success) {
    throw new SettingsError(`Invalid webhook settings:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const d = r.data;
  const s: WebhookSettings = {
    port: d.WEBHOOK_PORT,
    host: d.WEBHOOK_HOST,
    dataDir: d.WEBHOOK_DATA_DIR,
    appSecret: d.WHATSAPP_APP_SECRET,
    apiUrl: d.WHATSAPP_API_URL,
    timeZone: d.WEBHOOK_TIMEZONE,
    retentionDays: d.WEBHOOK_RETENTION_DAYS,
    abandonAfterMinutes: d.WEBHOOK_ABANDON_MINUTES,
    openWithoutToken: false,
  };
  // Without a token the contract routes (customers' phone numbers in /api/webhook/conversations) and
  // /ws/events answer whoever connects: fine on loopback, refused elsewhere unless explicitly accepted.
  if (!d.WEBHOOK_TOKEN && !isLoopbackHost(d.WEBHOOK_HOST)) {
    if (!d.WEBHOOK_ALLOW_NO_TOKEN) {
      throw new SettingsError(
        `WEBHOOK_TOKEN is not set, and WEBHOOK_HOST ${d.WEBHOOK_HOST} lets other machines read the conversations (customers' phone numbers) and the event stream: set WEBHOOK_TOKEN (the dashboard sends the same), or WEBHOOK_HOST=127.0.0.1, or WEBHOOK_ALLOW_NO_TOKEN=1 to accept that.`,
      );
    }
    s.openWithoutToken = true;
  }
  if (d.WHATSAPP_VERIFY_TOKEN) s.verifyToken = d.WHATSAPP_VERIFY_TOKEN;
  if (d.WHATSAPP_ACCESS_TOKEN) s.accessToken = d.WHATSAPP_ACCESS_TOKEN;
  if (d.WHATSAPP_PHONE_NUMBER_ID) s.phoneNumberId = d.WHATSAPP_PHONE_NUMBER_ID;
  if (d.WEBHOOK_TOKEN) s.token = d.WEBHOOK_TOKEN;
  if (d.WEBHOOK_PUBLIC_URL) s.publicUrl = d.WEBHOOK_PUBLIC_URL;
  if (d.WEBHOOK_ADVISORS_FILE) s.advisorsFile = d.WEBHOOK_ADVISORS_FILE;
  return s;
}

const advisorsSchema = z.object({ advisors: z.array(z.object({ id: z.string().min(1), phone: z.string().min(1) })) });

/** wa_id (the phone number's digits) → advisor id, from a file shaped like agents/examples/advisors.sample.json. */
export function loadAdvisors(file: string): Map<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`WEBHOOK_ADVISORS_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
  }
  const r = advisorsSchema.safeParse(json);
  if (!r.success) throw new SettingsError(`WEBHOOK_ADVISORS_FILE ${file} must be {"advisors": [{"id", "phone"}, …]}`);
  return new Map(r.data.advisors.map((a) => [a.phone.replace(/\D/g, ''), a.id]));
}
