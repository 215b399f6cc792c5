/**
 * Annotated evidence images kept in memory, least recently used dropped first, bounded by total
 * bytes. Concurrent requests for the same key share one rendering.
 */
export class AnnotationCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #pending = new Map<string, Promise<Buffer>>();
  #bytes = 0;

  /** @param maxBytes total size of the kept images; an image larger than this is never kept. */
  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Returns the cached image of `key`, or renders it with `render` and keeps it. */
  async get(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.#entries.get(key);
    if (cached) {
      // Re-inserting moves the entry to the end of the Map's order: most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }

    const pending = this.#pending.get(key);
    if (pending) return pending;

    const rendering = render().then((image) => {
      this.#store(key, image);
      return image;
    });
    this.#pending.set(key, rendering);
    try {
      return await rendering;
    } finally {
      this.#pending.delete(key);
    }
  }

  #store(key: string, image: Buffer): void {
    if (image.length > this.maxBytes) return;

    this.#entries.set(key, image);
    this.#bytes += image.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.length;
    }
  }
}
