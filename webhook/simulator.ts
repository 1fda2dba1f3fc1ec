// Simulated WhatsApp Cloud API traffic, signed like WhatsApp signs it: a business day of fictional
// advisors (agents/examples/advisors.sample.json) receiving content, tapping its buttons, chatting, and
// delivery statuses of which some fail; now and then a notification is sent twice, as WhatsApp retries.
// CLI: `npm run simulate -- --url http://127.0.0.1:3000 --secret S [--rate N] [--duration S] [--day]`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Button } from './events.js';
import { signatureOf } from './whatsapp-receiver.js';

export interface SimAdvisor {
  id: string;
  name: string;
  waId: string;
  active: boolean;
}

export const SIM_PHONE_NUMBER_ID = '109876543210001';
export const SIM_DISPLAY_NUMBER = '919800000000';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The example advisors (fictional), found from the sources or from dist/. */
export function sampleAdvisors(): SimAdvisor[] {
  for (const rel of ['../agents/examples/advisors.sample.json', '../../agents/examples/advisors.sample.json']) {
    const file = path.resolve(here, rel);
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { advisors: { id: string; name: string; phone: string; status?: string }[] };
    return json.advisors.map((a) => ({ id: a.id, name: a.name, waId: a.phone.replace(/\D/g, ''), active: a.status !== 'disabled' }));
  }
  return Array.from({ length: 12 }, (_, i) => ({ id: `adv-${String(i + 1).padStart(2, '0')}`, name: `Advisor ${i + 1}`, waId: `9198000${String(i + 1).padStart(5, '0')}`, active: true }));
}

/** A deterministic random source (mulberry32), so a seed gives the same day. */
export function rngFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A wamid shaped like WhatsApp's (unique: random bytes). */
export const newWamid = (waId: string) => `wamid.HBgM${Buffer.from(waId).toString('base64')}FQIAEhgg${randomBytes(12).toString('hex').toUpperCase()}AA==`;

const unixSeconds = (ms = Date.now()) => String(Math.floor(ms / 1000));

export interface SimMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  [k: string]: unknown;
}
export interface SimStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: string;
  recipient_id: string;
  errors?: { code: number; title: string; message: string; error_data: { details: string } }[];
}

export const templateTap = (waId: string, button: Button, templateWamid: string, contentId?: string): SimMessage => ({
  context: { from: SIM_DISPLAY_NUMBER, id: templateWamid },
  from: waId,
  id: newWamid(waId),
  timestamp: unixSeconds(),
  type: 'button',
  button: { payload: contentId ? `${button}:${contentId}` : button, text: LABELS[button] },
});

export const interactiveTap = (waId: string, button: Button): SimMessage => ({
  from: waId,
  id: newWamid(waId),
  timestamp: unixSeconds(),
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id: button, title: LABELS[button] } },
});

export const textMessage = (waId: string, body: string): SimMessage => ({ from: waId, id: newWamid(waId), timestamp: unixSeconds(), type: 'text', text: { body } });

export const statusUpdate = (messageId: string, recipientId: string, status: SimStatus['status'], failure?: (typeof FAILURES)[number]): SimStatus => ({
  id: messageId,
  status,
  timestamp: unixSeconds(),
  recipient_id: recipientId,
  ...(status === 'failed' && failure ? { errors: [{ ...failure, message: failure.title, error_data: { details: failure.details } }] } : {}),
});

/** A whole notification body, one change per value, as WhatsApp posts it. */
export function notification(values: { contacts?: SimAdvisor[]; messages?: SimMessage[]; statuses?: SimStatus[] }[]): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102030405060708',
        changes: values.map((v) => ({
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: SIM_DISPLAY_NUMBER, phone_number_id: SIM_PHONE_NUMBER_ID },
            ...(v.contacts ? { contacts: v.contacts.map((a) => ({ profile: { name: a.name }, wa_id: a.waId })) } : {}),
            ...(v.messages ? { messages: v.messages } : {}),
            ...(v.statuses ? { statuses: v.statuses } : {}),
          },
        })),
      },
    ],
  };
}

const LABELS: Record<Button, string> = { RETRIEVE_CONTENT: 'Retrieve content', UNLOCK_CONTENT: 'Unlock content', SHARE_WITH_CLIENTS: 'Share with clients' };
const FAILURES = [
  { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
  { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours have passed since the recipient last replied to the sender number.' },
  { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
] as const;
const OPENERS = ['Hi', 'Hello, good morning', 'Namaste', 'Hey, quick question'];
const QUESTIONS = ['How do I unlock today\'s fund note?', 'Can I forward this to my clients?', 'When does tomorrow\'s content come?', 'What were the SIP returns in this piece?', 'The image did not load'];
const CLOSERS = ['Thanks!', 'Thank you, that\'s all', 'Done, bye'];

export type SimKind = 'tap' | 'text' | 'status' | 'retry';
export interface SimAction {
  /** Minute of the simulated business day (0–1439) the action belongs to. */
  minute: number;
  kind: SimKind;
  body: object;
  /** What the webhook should record for it: button_click, chat_message (inbound), delivery_status. */
  expect: { clicks: number; texts: number; statuses: number };
}

/**
 * One business day of traffic in time order: three content pieces per active advisor (07:00, 13:00,
 * 18:30), their statuses (about 4% failing), button taps on delivered pieces, and conversations of which
 * most end with a thank-you and some just stop (the webhook closes those as abandoned).
 */
export function planDay(o: { seed?: number; advisors?: SimAdvisor[]; day?: string } = {}): SimAction[] {
  const rnd = rngFrom(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const jitter = (base: number, spread: number) => Math.min(1439, Math.max(0, Math.round(base + (rnd() - 0.2) * spread)));
  const day = (o.day ?? new Date().toISOString().slice(0, 10)).replace(/-/g, '');
  const actions: SimAction[] = [];
  const none = { clicks: 0, texts: 0, statuses: 0 };
  for (const a of (o.advisors ?? sampleAdvisors()).filter((x) => x.active)) {
    for (const [slot, at] of [[1, 7 * 60], [2, 13 * 60], [3, 18 * 60 + 30]] as const) {
      const contentId = `cnt-${day}-${slot}`;
      const template = newWamid(a.waId);
      const sentAt = jitter(at, 10);
      actions.push({ minute: sentAt, kind: 'status', body: notification([{ statuses: [statusUpdate(template, a.waId, 'sent')] }]), expect: { ...none, statuses: 1 } });
      if (rnd() < 0.04) {
        actions.push({ minute: sentAt + 1, kind: 'status', body: notification([{ statuses: [statusUpdate(template, a.waId, 'failed', pick(FAILURES))] }]), expect: { ...none, statuses: 1 } });
        continue;
      }
      actions.push({ minute: sentAt + 1, kind: 'status', body: notification([{ statuses: [statusUpdate(template, a.waId, 'delivered')] }]), expect: { ...none, statuses: 1 } });
      if (rnd() < 0.8) {
        const readAt = jitter(sentAt + 20, 90);
        actions.push({ minute: readAt, kind: 'status', body: notification([{ statuses: [statusUpdate(template, a.waId, 'read')] }]), expect: { ...none, statuses: 1 } });
        const taps: Button[] = [];
        if (rnd() < 0.7) taps.push('UNLOCK_CONTENT');
        if (rnd() < 0.3) taps.push('RETRIEVE_CONTENT');
        if (rnd() < 0.35) taps.push('SHARE_WITH_CLIENTS');
        let t = readAt;
        for (const b of taps) {
          t = Math.min(1439, t + 1 + Math.floor(rnd() * 25));
          const msg = rnd() < 0.8 ? templateTap(a.waId, b, template, contentId) : interactiveTap(a.waId, b);
          actions.push({ minute: t, kind: 'tap', body: notification([{ contacts: [a], messages: [msg] }]), expect: { ...none, clicks: 1 } });
        }
      }
    }
    if (rnd() < 0.5) {
      let t = jitter(10 * 60, 480);
      const lines = [pick(OPENERS), pick(QUESTIONS), ...(rnd() < 0.4 ? [pick(QUESTIONS)] : [])];
      if (rnd() < 0.7) lines.push(pick(CLOSERS));
      for (const line of lines) {
        actions.push({ minute: t, kind: 'text', body: notification([{ contacts: [a], messages: [textMessage(a.waId, line)] }]), expect: { ...none, texts: 1 } });
        t = Math.min(1439, t + 1 + Math.floor(rnd() * 6));
      }
    }
  }
  actions.sort((x, y) => x.minute - y.minute);
  // WhatsApp retries a notification it thinks was not received: resend about 2% verbatim.
  const out: SimAction[] = [];
  for (const act of actions) {
    out.push(act);
    if (rnd() < 0.02) out.push({ ...act, kind: 'retry', expect: { ...none } });
  }
  return out;
}

/** Body and headers of a signed POST /webhook. */
export function signedRequest(body: object, secret: string): { body: string; headers: Record<string, string> } {
  const text = JSON.stringify(body);
  return { body: text, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(text, secret) } };
}

export async function postNotification(url: string, body: object, secret: string): Promise<Response> {
  const r = signedRequest(body, secret);
  return fetch(`${url.replace(/\/+$/, '')}/webhook`, { method: 'POST', headers: r.headers, body: r.body });
}

export interface SimulationOptions {
  url: string;
  secret: string;
  /** Notifications per second. */
  rate?: number;
  /** Seconds to run; 0 = until stopped. Ignored with `day`. */
  durationSeconds?: number;
  /** Send exactly one business day, then stop. */
  day?: boolean;
  seed?: number;
  advisors?: SimAdvisor[];
  maxInFlight?: number;
  signal?: AbortSignal;
  onProgress?: (s: SimulationSummary) => void;
}

export interface SimulationSummary {
  posted: number;
  accepted: number;
  refused: { status: number; body: string }[];
  byKind: Record<SimKind, number>;
  expected: { clicks: number; texts: number; statuses: number };
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationSummary> {
  const rate = o.rate ?? 5;
  const endAt = o.day || !o.durationSeconds ? Infinity : Date.now() + o.durationSeconds * 1000;
  const summary: SimulationSummary = { posted: 0, accepted: 0, refused: [], byKind: { tap: 0, text: 0, status: 0, retry: 0 }, expected: { clicks: 0, texts: 0, statuses: 0 } };
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  let seed = o.seed ?? 1;
  let plan = planDay({ seed, ...(o.advisors ? { advisors: o.advisors } : {}) });
  let i = 0;
  let lastProgress = started;
  while (!o.signal?.aborted && Date.now() < endAt) {
    if (i >= plan.length) {
      if (o.day) break;
      plan = planDay({ seed: ++seed, ...(o.advisors ? { advisors: o.advisors } : {}) });
      i = 0;
    }
    // Keep to the rate: action n leaves at started + n/rate.
    const due = started + (summary.posted * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= (o.maxInFlight ?? 64)) await Promise.race(inFlight);
    const act = plan[i++]!;
    summary.posted += 1;
    summary.byKind[act.kind] += 1;
    summary.expected.clicks += act.expect.clicks;
    summary.expected.texts += act.expect.texts;
    summary.expected.statuses += act.expect.statuses;
    const p: Promise<void> = postNotification(o.url, act.body, o.secret)
      .then(async (res) => {
        if (res.status === 200) summary.accepted += 1;
        else summary.refused.push({ status: res.status, body: (await res.text()).slice(0, 200) });
      })
      .catch((err: unknown) => {
        summary.refused.push({ status: 0, body: String((err as Error).message) });
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (o.onProgress && Date.now() - lastProgress >= 5000) {
      lastProgress = Date.now();
      o.onProgress(summary);
    }
  }
  await Promise.all(inFlight);
  return summary;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      secret: { type: 'string', default: process.env.WHATSAPP_APP_SECRET ?? '' },
      rate: { type: 'string', default: '5' },
      duration: { type: 'string', default: '60' },
      day: { type: 'boolean', default: false },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.secret) {
    console.log('npm run simulate -- --url http://127.0.0.1:3000 --secret <WHATSAPP_APP_SECRET> [--rate N/s] [--duration S | 0 = until stopped] [--day] [--seed N]');
    process.exit(values.help ? 0 : 2);
  }
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  if (!(rate > 0) || !(duration >= 0)) {
    console.error('--rate must be > 0 and --duration >= 0');
    process.exit(2);
  }
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  const line = (s: SimulationSummary) =>
    `posted ${s.posted} (taps ${s.byKind.tap}, texts ${s.byKind.text}, statuses ${s.byKind.status}, retries ${s.byKind.retry}); accepted ${s.accepted}; refused ${s.refused.length}`;
  console.log(`Simulating WhatsApp traffic of ${sampleAdvisors().filter((a) => a.active).length} example advisors → ${values.url}/webhook at ${rate}/s${values.day ? ' (one business day)' : ''}`);
  const s = await runSimulation({ url: values.url, secret: values.secret, rate, durationSeconds: duration, day: values.day, seed: Number(values.seed), signal: ac.signal, onProgress: (p) => console.log(line(p)) });
  console.log(line(s));
  for (const r of s.refused.slice(0, 5)) console.log(`  refused: ${r.status} ${r.body}`);
  process.exit(s.refused.length === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) void cli();
