/** A small bounded async queue between the stages that prepare documents and the one that writes them. */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly waitingPut: Array<() => void> = [];
  private waitingTake: ((value: T | undefined) => void) | undefined;
  private closed = false;
  constructor(private readonly capacity: number) {}

  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.waitingPut.push(resolve));
    if (this.waitingTake) {
      const take = this.waitingTake;
      this.waitingTake = undefined;
      take(item);
    } else this.items.push(item);
  }

  async take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.waitingPut.shift()?.();
      return item;
    }
    if (this.closed) return undefined;
    return new Promise<T | undefined>((resolve) => (this.waitingTake = resolve));
  }

  close(): void {
    this.closed = true;
    this.waitingTake?.(undefined);
    this.waitingTake = undefined;
    for (const resolve of this.waitingPut.splice(0)) resolve();
  }
}
