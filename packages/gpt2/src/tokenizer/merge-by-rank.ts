/**
 * BPE's merge loop, in O(n log n) for a word of n symbols: while some adjacent pair is a merge,
 * merge every occurrence (left to right) of the pair with the lowest rank. This is the loop of
 * Hugging Face's Python `GPT2Tokenizer.bpe`, which rescans the word after each merge (O(n²) per
 * merge: minutes on a 100k-byte word without spaces). Here the symbols are a linked list and the
 * candidate pairs a heap ordered by (rank, position); a round takes every entry of the lowest rank
 * before any pair that the round itself creates, so a pair created with a lower rank than the
 * round's (possible in a hand-written merge list) waits for the round to end, as in Python.
 *
 * `rankOf(a, b)` is the rank of merging `a` and `b`, or undefined; a rank names one pair only.
 */
export function mergeByRank(
  symbols: readonly string[],
  rankOf: (a: string, b: string) => number | undefined,
): string[] {
  const n = symbols.length;
  const token = symbols.slice();
  if (n < 2) return token;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new PairHeap();
  const pushPair = (left: number) => {
    const right = next[left];
    if (left < 0 || right < 0) return;
    const rank = rankOf(token[left], token[right]);
    if (rank !== undefined) heap.push(rank, left);
  };
  for (let i = 0; i < n - 1; i++) pushPair(i);

  while (heap.size > 0) {
    const rank = heap.topRank();
    const lefts: number[] = [];
    while (heap.size > 0 && heap.topRank() === rank) lefts.push(heap.pop());
    const merged: number[] = [];
    for (const left of lefts) {
      const right = next[left];
      // Stale entries: the left symbol was absorbed, or either side has changed since the push.
      if (!alive[left] || right < 0 || rankOf(token[left], token[right]) !== rank) continue;
      token[left] += token[right];
      alive[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      merged.push(left);
    }
    for (const left of merged) {
      if (!alive[left]) continue;
      pushPair(prev[left]);
      pushPair(left);
    }
  }
  const out: string[] = [];
  for (let i = 0; i !== -1; i = next[i]) out.push(token[i]);
  return out;
}

/** A binary min-heap of pair positions keyed by (rank, position). */
class PairHeap {
  private readonly ranks: number[] = [];
  private readonly lefts: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  topRank(): number {
    return this.ranks[0];
  }

  push(rank: number, left: number): void {
    let i = this.ranks.length;
    this.ranks.push(rank);
    this.lefts.push(left);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the smallest entry; returns its position. */
  pop(): number {
    const top = this.lefts[0];
    const lastRank = this.ranks.pop() as number;
    const lastLeft = this.lefts.pop() as number;
    if (this.ranks.length > 0) {
      this.ranks[0] = lastRank;
      this.lefts[0] = lastLeft;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < this.ranks.length && this.less(l, smallest)) smallest = l;
        if (r < this.ranks.length && this.less(r, smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    return (
      this.ranks[i] < this.ranks[j] ||
      (this.ranks[i] === this.ranks[j] && this.lefts[i] < this.lefts[j])
    );
  }

  private swap(i: number, j: number): void {
    [this.ranks[i], this.ranks[j]] = [this.ranks[j], this.ranks[i]];
    [this.lefts[i], this.lefts[j]] = [this.lefts[j], this.lefts[i]];
  }
}
