/**
 * What one client session received, by the producer's per-target sequence number `n`
 * (1, 2, 3, … per target). A bitmap tells a first delivery from a duplicate whatever the arrival
 * order, so loss and duplicates are counted by the application-visible payload, not by any
 * system's own seq (the peers have none that is comparable).
 */
export class SeqTracker {
  #seen = new Uint8Array(64);
  #distinct = 0;
  #duplicates = 0;

  /** Returns true for a first delivery, false for a duplicate. `n` must be a positive integer. */
  add(n: number): boolean {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bad sequence number ${n}`);
    const byte = n >> 3;
    if (byte >= this.#seen.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#seen.length * 2));
      grown.set(this.#seen);
      this.#seen = grown;
    }
    const bit = 1 << (n & 7);
    if ((this.#seen[byte]! & bit) !== 0) {
      this.#duplicates += 1;
      return false;
    }
    this.#seen[byte]! |= bit;
    this.#distinct += 1;
    return true;
  }

  get distinct(): number {
    return this.#distinct;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  /** How many of 1..sent never arrived. */
  missing(sent: number): number {
    let got = 0;
    for (let n = 1; n <= sent; n++) {
      const byte = n >> 3;
      if (byte < this.#seen.length && (this.#seen[byte]! & (1 << (n & 7))) !== 0) got += 1;
    }
    return sent - got;
  }
}
