import type { EmbeddedImage, EvidenceSettings, ReadingStatus } from '@metervision/protocol';
import sharp from 'sharp';

/** Largest embedded image the protocol accepts, in bytes of JPEG. */
const MAX_EVIDENCE_BYTES = 2 * 1024 * 1024;

/**
 * Builds the evidence image of a reading: the photo scaled down to `maxWidth` as JPEG. Returns
 * undefined when the settings leave it out or the photo cannot be decoded, because a corrupt
 * file has no useful evidence and the reading's reason names the file.
 */
export async function buildEvidence(
  image: Buffer,
  status: ReadingStatus,
  settings: EvidenceSettings,
): Promise<EmbeddedImage | undefined> {
  if (settings.attach === 'never') return undefined;
  if (settings.attach === 'unless_accepted' && status === 'accepted') return undefined;

  try {
    const jpeg = await encodeJpeg(image, settings.maxWidth, settings.jpegQuality);
    if (jpeg.length > MAX_EVIDENCE_BYTES) return undefined;
    return { contentType: 'image/jpeg', data: jpeg.toString('base64') };
  } catch {
    return undefined;
  }
}

/** Scales an image down to at most `maxWidth` pixels wide and encodes it as JPEG. */
export async function encodeJpeg(image: Buffer, maxWidth: number, quality: number): Promise<Buffer> {
  return sharp(image, { limitInputPixels: 40_000_000 })
    .autoOrient()
    .resize({ width: maxWidth, withoutEnlargement: true })
    .jpeg({ quality })
    .toBuffer();
}
