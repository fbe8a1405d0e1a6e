/**
 * A bounded, append-only record buffer: keeps the newest `limit` entries and counts what it dropped,
 * so ground truth never grows without bound on long runs (DESIGN invariant 2).
 */
export class Ring<T> {
  private readonly items: T[] = [];
  /** Index of the oldest entry once the buffer is full. */
  private head = 0;
  private droppedCount = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`ring limit must be a positive integer, got ${limit}`);
  }

  push(item: T): void {
    if (this.items.length < this.limit) {
      this.items.push(item);
      return;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.limit;
    this.droppedCount++;
  }

  /** Entries oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }

  /** How many of the oldest entries were overwritten. */
  get dropped(): number {
    return this.droppedCount;
  }
}
