/**
 * A buffer kept between uses up to a size, for work on one file at a time
 * (the lint's reads, its pruned texts): a new buffer per file is external
 * memory, which brings on garbage collections. What is written there is
 * valid until the next `take`.
 */
export class KeptBytes {
  private kept: Buffer | undefined;

  /** `max`: the largest buffer kept; `min`: the smallest one made. */
  constructor(
    private readonly max: number,
    private readonly min: number,
  ) {}

  /** `size` bytes of the kept buffer (grown when needed), or undefined when `size` is over `max`. */
  take(size: number): Buffer | undefined {
    if (size > this.max) return undefined;
    if (!this.kept || this.kept.length < size) this.kept = Buffer.allocUnsafe(Math.min(this.max, Math.max(size, this.min)));
    return this.kept.subarray(0, size);
  }
}
