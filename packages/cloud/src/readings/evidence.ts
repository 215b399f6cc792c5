import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** Image evidence of readings, stored as files under one folder; rows keep the relative path. */
export class EvidenceStore {
  constructor(readonly root: string) {}

  /**
   * Writes the image of reading `readingId` of meter `meterId` and returns its path relative to
   * the root.
   */
  save(organizationId: number, meterId: number, readingId: string, contentType: string, image: Buffer): Promise<string> {
    return this.write(join(String(organizationId), String(meterId)), readingId, contentType, image);
  }

  /**
   * Writes the image of a reading sent by device `deviceId` while it was bound to no meter, under
   * `<organization>/devices/<device id>/`, and returns its path relative to the root. Device ids
   * contain only letters, digits, "-" and "_", and meter folders are numbers, so the two never meet.
   */
  saveForDevice(organizationId: number, deviceId: string, readingId: string, contentType: string, image: Buffer): Promise<string> {
    return this.write(join(String(organizationId), 'devices', deviceId), readingId, contentType, image);
  }

  async load(path: string): Promise<Buffer> {
    return readFile(this.resolve(path));
  }

  /** Deletes a stored image; a missing file counts as deleted. */
  async remove(path: string): Promise<void> {
    await rm(this.resolve(path), { force: true });
  }

  /** Writes `image` as `<folder>/<readingId>.<extension>` through a temporary file and a rename, so a crash leaves no half file. */
  private async write(folder: string, readingId: string, contentType: string, image: Buffer): Promise<string> {
    const extension = EXTENSIONS[contentType] ?? 'jpg';
    const path = join(folder, `${readingId}.${extension}`);
    const absolute = this.resolve(path);

    await mkdir(dirname(absolute), { recursive: true });
    // Unique per write: a reading redelivered while its first copy is still being saved must not share it.
    const temporary = `${absolute}.${randomUUID()}.tmp`;
    await writeFile(temporary, image);
    await rename(temporary, absolute);
    return path;
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
