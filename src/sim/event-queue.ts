/**
 * A min-heap of timed events ordered by (tMs, insertion order): events at the same instant come
 * out in the order they were scheduled, which keeps the simulation deterministic.
 */
export interface Timed<T> {
  tMs: number;
  value: T;
}

interface Entry<T> extends Timed<T> {
  order: number;
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  push(tMs: number, value: T): void {
    this.heap.push({ tMs, value, order: this.order++ });
    this.up(this.heap.length - 1);
  }

  peek(): Timed<T> | undefined {
    return this.heap[0];
  }

  pop(): Timed<T> | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.tMs < b.tMs || (a.tMs === b.tMs && a.order < b.order);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = a;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
