// DEMO ONLY: a small rule-based chat responder, so the webhook answers text messages without an AI
// service. Every reply says it comes from the demo assistant. A real deployment passes its own replier.

export interface ChatReply {
  text: string;
  /** 1–5: how well the reply fits the question (here: how specific the matched rule is). */
  aiQuality: number;
  /** The reply ends the conversation (the user said goodbye). */
  closes: boolean;
}

export interface ChatContext {
  waId: string;
  advisorId?: string;
  /** Messages already in this conversation, both directions. */
  messagesSoFar: number;
}

export type ChatReplier = (text: string, ctx: ChatContext) => ChatReply | Promise<ChatReply>;

const LABEL = '[Demo assistant] ';

const RULES: { test: RegExp; reply: string; aiQuality: number; closes?: boolean }[] = [
  { test: /\b(thanks|thank you|bye|goodbye|that'?s all|done)\b/i, reply: 'Glad to help. This chat is closed; tap a button on any message to start again.', aiQuality: 5, closes: true },
  { test: /\b(unlock|locked|open)\b/i, reply: 'Tap "Unlock content" under the message and the full piece arrives here within seconds.', aiQuality: 5 },
  { test: /\b(share|forward|clients?)\b/i, reply: 'Tap "Share with clients" to get a version without your notes, ready to forward.', aiQuality: 5 },
  { test: /\b(sip|mutual fund|fund|nav|returns?)\b/i, reply: 'Today\'s fund notes are in the morning content. Tap "Retrieve content" to get them again.', aiQuality: 4 },
  { test: /\b(time|when|schedule|tomorrow)\b/i, reply: 'New content goes out every morning at 7:00 IST.', aiQuality: 4 },
  { test: /\b(hi|hello|hey|namaste|good (morning|evening|afternoon))\b/i, reply: 'Hello! Ask about today\'s content, unlocking or sharing with clients.', aiQuality: 4 },
];

export const demoChatReplier: ChatReplier = (text) => {
  for (const r of RULES) if (r.test.test(text)) return { text: LABEL + r.reply, aiQuality: r.aiQuality, closes: r.closes ?? false };
  return { text: LABEL + 'I can help with today\'s content, unlocking and sharing. Could you rephrase?', aiQuality: 2, closes: false };
};

export const ABANDON_NOTICE = LABEL + 'This chat was closed after a while without messages. Tap a button on any message to start again.';
