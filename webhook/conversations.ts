// Conversations folded from chat_message events: which one a user is in, which are active, and how many
// ended (completed or abandoned) on each day, each conversation counted once. Only active conversations are kept in memory.
import type { ChatMessageEvent } from './events.js';

/** An active conversation as the contract lists it (`/api/webhook/conversations`, without `state`); the
 *  dashboard's CRM figures list theirs in the same shape. */
export interface ActiveConversation {
  conversationId: string;
  waId: string;
  advisorId?: string;
  startedAt: string;
  lastMessageAt: string;
  messages: number;
}

export interface Conversation extends ActiveConversation {
  state: 'active';
}

export interface ConversationsView {
  active: Conversation[];
  completedToday: number;
  abandonedToday: number;
}

export class ConversationBook {
  private readonly byId = new Map<string, Conversation>();
  private readonly activeByWaId = new Map<string, string>();
  private readonly endedByDay = new Map<string, { completed: Set<string>; abandoned: Set<string> }>();

  constructor(private readonly dayOf: (iso: string) => string) {}

  apply(e: ChatMessageEvent): void {
    let c = this.byId.get(e.conversationId);
    if (e.state !== 'active') {
      if (c) {
        this.byId.delete(e.conversationId);
        if (this.activeByWaId.get(c.waId) === e.conversationId) this.activeByWaId.delete(c.waId);
      }
      const day = this.dayOf(e.ts);
      let ended = this.endedByDay.get(day);
      if (!ended) {
        ended = { completed: new Set(), abandoned: new Set() };
        this.endedByDay.set(day, ended);
        // Only "today" is asked for; keep a few days for the turn of the day, not all of them.
        if (this.endedByDay.size > 3) this.endedByDay.delete([...this.endedByDay.keys()].sort()[0]!);
      }
      ended[e.state].add(e.conversationId);
      return;
    }
    if (!c) {
      c = { conversationId: e.conversationId, waId: e.waId, startedAt: e.ts, lastMessageAt: e.ts, messages: 0, state: 'active' };
      if (e.advisorId !== undefined) c.advisorId = e.advisorId;
      this.byId.set(e.conversationId, c);
    }
    this.activeByWaId.set(e.waId, e.conversationId);
    c.lastMessageAt = e.ts;
    c.messages += 1;
  }

  /** The user's active conversation, if any. */
  activeFor(waId: string): Conversation | undefined {
    const id = this.activeByWaId.get(waId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  get activeCount(): number {
    return this.byId.size;
  }

  /** Active conversations whose last message is older than `cutoffMs` (epoch ms). */
  idleSince(cutoffMs: number): Conversation[] {
    return [...this.byId.values()].filter((c) => Date.parse(c.lastMessageAt) < cutoffMs);
  }

  view(today: string): ConversationsView {
    const ended = this.endedByDay.get(today);
    const active = [...this.byId.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => (a.lastMessageAt < b.lastMessageAt ? 1 : a.lastMessageAt > b.lastMessageAt ? -1 : 0));
    return { active, completedToday: ended?.completed.size ?? 0, abandonedToday: ended?.abandoned.size ?? 0 };
  }
}
