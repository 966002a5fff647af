/**
 * Conversation history per session, in memory: at most `maxTurns` question/answer pairs each,
 * expiring `ttlMs` after last use, at most `maxSessions` at once (the least recently used goes first).
 * A Map keeps insertion order, so re-inserting on use makes its first key the LRU entry.
 */
import { randomUUID } from "node:crypto";
import type { ChatTurn } from "../chat/types.js";

export interface SessionOptions {
  ttlMs: number;
  maxTurns: number;
  maxSessions: number;
  now?: () => number;
}

interface Session {
  history: ChatTurn[];
  lastUsed: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The history of a live session (and marks it used), or undefined when unknown or expired. */
  history(id: string): ChatTurn[] | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.expired(session)) {
      this.sessions.delete(id);
      return undefined;
    }
    this.touch(id, session);
    return [...session.history];
  }

  /** An id for a session that will exist once its first turn is appended. */
  newId(): string {
    return randomUUID();
  }

  /** A new empty session; evicts expired sessions, then the least recently used when full. */
  create(): string {
    const id = this.newId();
    this.insert(id, { history: [], lastUsed: this.now() });
    return id;
  }

  /** Appends one question/answer pair, keeping the last maxTurns pairs; creates the session when new (or evicted meanwhile). */
  append(id: string, question: string, answer: string): void {
    let session = this.sessions.get(id);
    if (!session) {
      session = { history: [], lastUsed: this.now() };
      this.insert(id, session);
    }
    session.history.push({ role: "user", content: question }, { role: "assistant", content: answer });
    const maxMessages = this.options.maxTurns * 2;
    if (session.history.length > maxMessages) session.history.splice(0, session.history.length - maxMessages);
    this.touch(id, session);
  }

  private insert(id: string, session: Session): void {
    this.sweep();
    while (this.sessions.size >= this.options.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(id, session);
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** Drops expired sessions. Oldest-used come first, so it stops at the first live one. */
  sweep(): number {
    let dropped = 0;
    for (const [id, session] of this.sessions) {
      if (!this.expired(session)) break;
      this.sessions.delete(id);
      dropped++;
    }
    return dropped;
  }

  private expired(session: Session): boolean {
    return this.now() - session.lastUsed > this.options.ttlMs;
  }

  private touch(id: string, session: Session): void {
    session.lastUsed = this.now();
    this.sessions.delete(id);
    this.sessions.set(id, session);
  }
}
