import type { FromReplica, ToReplica } from './protocol.js';

type Port = {
  postMessage(m: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', f: (m: unknown) => void): void;
  on(event: 'error', f: (e: Error) => void): void;
  on(event: 'exit', f: (code: number) => void): void;
};

/**
 * Ordered message queue over a worker or port: `next(type)` resolves with the next message,
 * which must be of that type (replicas run the same code in lockstep); a replica error or
 * exit rejects every pending and later `next`.
 */
export class Channel<In extends { type: string }, Out> {
  private readonly queue: In[] = [];
  private readonly waiting: { type: string; resolve: (m: In) => void; reject: (e: Error) => void }[] = [];
  private failure?: Error;

  constructor(
    private readonly port: Port,
    private readonly label: string,
  ) {
    port.on('message', (m) => this.push(m as In));
    port.on('error', (e) => this.fail(new Error(`${label}: ${e.message}`)));
  }

  /** Marks the channel dead (e.g. the worker exited). */
  fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  send(m: Out, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(m, transfer);
  }

  next<T extends In['type']>(type: T): Promise<Extract<In, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    const m = this.queue.shift();
    if (m) return Promise.resolve(this.check(m, type));
    return new Promise((resolve, reject) => this.waiting.push({ type, resolve: (x) => resolve(x as Extract<In, { type: T }>), reject }));
  }

  /** The next message whatever its type (for a command loop). */
  nextAny(): Promise<In> {
    if (this.failure) return Promise.reject(this.failure);
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => this.waiting.push({ type: '*', resolve, reject }));
  }

  private push(m: In): void {
    if (m.type === 'error') {
      this.fail(new Error(`${this.label}: ${(m as unknown as { message: string }).message}`));
      return;
    }
    const w = this.waiting.shift();
    if (!w) {
      this.queue.push(m);
      return;
    }
    try {
      w.resolve(this.check(m, w.type));
    } catch (e) {
      w.reject(e as Error);
    }
  }

  private check<T extends In['type']>(m: In, type: T): Extract<In, { type: T }> {
    if (type !== '*' && m.type !== type) {
      const e = new Error(`${this.label}: expected '${type}' but got '${m.type}' (replicas diverged: every replica must run the same strategy code)`);
      this.fail(e);
      throw e;
    }
    return m as Extract<In, { type: T }>;
  }
}

export type ReplicaChannel = Channel<FromReplica, ToReplica>;
export type MainChannel = Channel<ToReplica, FromReplica>;
