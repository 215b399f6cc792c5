import type { InkImage } from './binarize.ts';
import type { GlyphBitmap } from './shape.ts';

/** Bounding box and ink count of a group of ink pixels, in window pixels (inclusive bounds). */
export interface InkBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
  area: number;
  /** Ink pixels within BORDER_SHARE of the window's edges. */
  borderArea: number;
}

/**
 * Ink blobs of one digit at one height of the wheel. A rolling wheel shows two bands: the
 * leaving digit cut at the top edge and the entering digit cut at the bottom edge.
 */
export interface GlyphBand extends InkBox {
  /** Labels of the connected components that make up this band. */
  labels: number[];
  touchesTop: boolean;
  touchesBottom: boolean;
}

export interface WheelGlyphs {
  /** Component label of every pixel, 0 for background. */
  labels: Int32Array;
  /** Bands from top to bottom, after dropping noise, wheel edges and window rims. */
  bands: GlyphBand[];
}

// Blobs smaller than this share of the window are noise, dust or JPEG artefacts.
const MIN_AREA_SHARE = 0.004;
// Blobs centred this close to the left or right edge are wheel edges or the gap between wheels.
const SIDE_MARGIN_SHARE = 0.15;
// Flat blobs lower than this share of the window height and wider than RIM_WIDTH_SHARE are window rims.
const RIM_HEIGHT_SHARE = 0.07;
const RIM_WIDTH_SHARE = 0.3;

// Rows or columns at the window edge inked over more than this share are the window's frame.
const FRAME_LINE_SHARE = 0.8;
// Blobs with at least FRAME_BLOB_SHARE of their ink within BORDER_SHARE of the window's edges are
// its frame or housing, blurred or shaded into the window, or slivers too small to read.
const BORDER_SHARE = 0.08;
const FRAME_BLOB_SHARE = 0.7;

/** Finds the digit bands in a binarised wheel window. */
export function findGlyphBands(image: InkImage): WheelGlyphs {
  clearFrameLines(image);
  const { labels, boxes } = labelComponents(image);
  const kept = boxes.filter((box) => box.label > 0 && isGlyphPart(box, image.width, image.height));
  return { labels, bands: groupIntoBands(kept, image.height) };
}

// Clears nearly solid rows and columns from each edge inwards: the frame of the counter window
// shows up there and would join the digits it touches into one blob.
function clearFrameLines(image: InkImage): void {
  const { ink, width, height } = image;
  const rowShare = (y: number) => {
    let count = 0;
    for (let x = 0; x < width; x += 1) count += ink[y * width + x]!;
    return count / width;
  };
  const columnShare = (x: number) => {
    let count = 0;
    for (let y = 0; y < height; y += 1) count += ink[y * width + x]!;
    return count / height;
  };
  const clearRow = (y: number) => ink.fill(0, y * width, (y + 1) * width);
  const clearColumn = (x: number) => {
    for (let y = 0; y < height; y += 1) ink[y * width + x] = 0;
  };

  for (let y = 0; y < height && rowShare(y) > FRAME_LINE_SHARE; y += 1) clearRow(y);
  for (let y = height - 1; y >= 0 && rowShare(y) > FRAME_LINE_SHARE; y -= 1) clearRow(y);
  for (let x = 0; x < width && columnShare(x) > FRAME_LINE_SHARE; x += 1) clearColumn(x);
  for (let x = width - 1; x >= 0 && columnShare(x) > FRAME_LINE_SHARE; x -= 1) clearColumn(x);
}

function isGlyphPart(box: InkBox, width: number, height: number): boolean {
  if (box.area < MIN_AREA_SHARE * width * height) return false;
  if (box.borderArea >= FRAME_BLOB_SHARE * box.area) return false;

  const centreX = (box.left + box.right) / 2;
  const touchesSide = box.left === 0 || box.right === width - 1;
  if (touchesSide && (centreX < SIDE_MARGIN_SHARE * width || centreX > (1 - SIDE_MARGIN_SHARE) * width)) return false;

  const boxHeight = box.bottom - box.top + 1;
  const boxWidth = box.right - box.left + 1;
  const touchesRim = box.top === 0 || box.bottom === height - 1;
  if (!touchesRim && boxHeight < RIM_HEIGHT_SHARE * height && boxWidth > RIM_WIDTH_SHARE * width) return false;

  return true;
}

function groupIntoBands(boxes: (InkBox & { label: number })[], height: number): GlyphBand[] {
  const sorted = [...boxes].sort((a, b) => a.top - b.top);
  const bands: GlyphBand[] = [];
  // Strokes of one digit may break apart after thresholding; parts that overlap vertically (or
  // nearly) belong to the same digit.
  const tolerance = Math.max(1, Math.round(0.03 * height));

  for (const box of sorted) {
    const band = bands.at(-1);
    if (band && box.top <= band.bottom + tolerance) {
      band.left = Math.min(band.left, box.left);
      band.right = Math.max(band.right, box.right);
      band.bottom = Math.max(band.bottom, box.bottom);
      band.area += box.area;
      band.borderArea += box.borderArea;
      band.labels.push(box.label);
      continue;
    }
    const { label, ...bounds } = box;
    bands.push({ ...bounds, labels: [label], touchesTop: false, touchesBottom: false });
  }

  for (const band of bands) {
    band.touchesTop = band.top <= 1;
    band.touchesBottom = band.bottom >= height - 2;
  }
  return bands;
}

/** Labels 8-connected ink components; label 0 is background and `boxes[label]` describes each. */
export function labelComponents(image: InkImage): { labels: Int32Array; boxes: (InkBox & { label: number })[] } {
  const { ink, width, height } = image;
  const labels = new Int32Array(width * height);
  const boxes: (InkBox & { label: number })[] = [{ label: 0, left: 0, top: 0, right: 0, bottom: 0, area: 0, borderArea: 0 }];
  const stack: number[] = [];
  const marginX = BORDER_SHARE * width;
  const marginY = BORDER_SHARE * height;
  const nearBorder = (x: number, y: number) => x < marginX || x >= width - marginX || y < marginY || y >= height - marginY;

  for (let start = 0; start < ink.length; start += 1) {
    if (ink[start] === 0 || labels[start] !== 0) continue;

    const label = boxes.length;
    const box = { label, left: width, top: height, right: -1, bottom: -1, area: 0, borderArea: 0 };
    boxes.push(box);
    labels[start] = label;
    stack.push(start);

    while (stack.length > 0) {
      const index = stack.pop()!;
      const x = index % width;
      const y = (index - x) / width;
      box.area += 1;
      if (nearBorder(x, y)) box.borderArea += 1;
      if (x < box.left) box.left = x;
      if (x > box.right) box.right = x;
      if (y < box.top) box.top = y;
      if (y > box.bottom) box.bottom = y;

      for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny += 1) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx += 1) {
          const neighbour = ny * width + nx;
          if (ink[neighbour] === 1 && labels[neighbour] === 0) {
            labels[neighbour] = label;
            stack.push(neighbour);
          }
        }
      }
    }
  }
  return { labels, boxes };
}

/** Copies the components of `band` out of the window as a glyph cropped to the band's box. */
export function extractBand(glyphs: WheelGlyphs, band: GlyphBand, windowWidth: number): GlyphBitmap {
  const keep = new Set(band.labels);
  const width = band.right - band.left + 1;
  const height = band.bottom - band.top + 1;
  const ink = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (keep.has(glyphs.labels[(y + band.top) * windowWidth + x + band.left]!)) ink[y * width + x] = 1;
    }
  }
  return { ink, width, height };
}
