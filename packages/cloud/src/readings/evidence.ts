import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Image evidence of readings, stored as files under one folder; rows keep the relative path. */
export class EvidenceStore {
  constructor(readonly root: string) {}

  /**
   * Writes the image of reading `readingId` of meter `meterId` and returns its path relative to
   * the root. Written to a temporary name then renamed, so a crash leaves no half file.
   */
  async save(organizationId: number, meterId: number, readingId: string, contentType: string, image: Buffer): Promise<string> {
    const extension = EXTENSIONS[contentType] ?? 'jpg';
    const path = join(String(organizationId), String(meterId), `${readingId}.${extension}`);
    const absolute = this.resolve(path);

    await mkdir(dirname(absolute), { recursive: true });
    // Unique per write: a reading redelivered while its first copy is still being saved must not share it.
    const temporary = `${absolute}.${randomUUID()}.tmp`;
    await writeFile(temporary, image);
    await rename(temporary, absolute);
    return path;
  }

  async load(path: string): Promise<Buffer> {
    return readFile(this.resolve(path));
  }

  /** Resolves a stored relative path, refusing any path that leaves the root. */
  private resolve(path: string): string {
    const absolute = resolve(this.root, path);
    const inside = relative(this.root, absolute);
    if (inside.startsWith('..') || inside.startsWith(sep) || inside === '') {
      throw new Error(`Evidence path ${JSON.stringify(path)} is outside ${this.root}`);
    }
    return absolute;
  }
}
