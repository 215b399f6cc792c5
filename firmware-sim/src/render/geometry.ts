/**
 * Where each part of the synthetic meter sits in the output image. The meter is designed on a
 * 640x480 canvas (an ESP32-CAM VGA frame) and scaled uniformly to fit the requested size,
 * centred. Wheel windows and dial boxes are rounded to whole pixels because they become the
 * layout's ROIs and the drawing uses exactly the same rectangles.
 */
const DESIGN_WIDTH = 640;
const DESIGN_HEIGHT = 480;

const WHEEL_WIDTH = 44;
const WHEEL_HEIGHT = 72;
const WHEEL_GAP = 8;
const WHEEL_TOP = 84;
const HOUSING_PADDING = 14;
/** Room right of the counter housing for the unit label. */
const UNIT_LABEL_SPACE = 48;

const DIAL_RADIUS = 46;
/** Dial centres for x0.1, x0.01, x0.001, x0.0001, placed like a domestic water meter's. */
const DIAL_CENTRES = [
  { x: 500, y: 292 },
  { x: 410, y: 388 },
  { x: 230, y: 388 },
  { x: 140, y: 292 },
];

const MARK_RADIUS = 21;
const MARK_CENTRES = [
  { x: 62, y: 196 },
  { x: 578, y: 196 },
];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Circle {
  x: number;
  y: number;
  radius: number;
}

export interface MeterGeometry {
  width: number;
  height: number;
  /** Pixels per design unit. */
  scale: number;
  face: Circle;
  housing: Rect;
  wheels: Rect[];
  unitLabel: { x: number; y: number; height: number };
  /** Dials with their ROI, hub and factor label (centred below the ROI). */
  dials: { box: Rect; centre: Circle; label: { centreX: number; top: number; height: number } }[];
  marks: { box: Rect; centre: Circle }[];
  flowStar: Circle;
}

/** Lays out a meter with `wheels` wheels and `pointers` dials in a `width` x `height` image. */
export function meterGeometry(width: number, height: number, wheels: number, pointers: number): MeterGeometry {
  const scale = Math.min(width / DESIGN_WIDTH, height / DESIGN_HEIGHT);
  const offsetX = (width - DESIGN_WIDTH * scale) / 2;
  const offsetY = (height - DESIGN_HEIGHT * scale) / 2;
  const px = (x: number) => offsetX + x * scale;
  const py = (y: number) => offsetY + y * scale;

  const counterWidth = wheels * WHEEL_WIDTH + (wheels - 1) * WHEEL_GAP;
  const counterLeft = DESIGN_WIDTH / 2 - (counterWidth + UNIT_LABEL_SPACE) / 2;
  const wheelRects = Array.from({ length: wheels }, (_, index) =>
    pixelRect(px(counterLeft + index * (WHEEL_WIDTH + WHEEL_GAP)), py(WHEEL_TOP), WHEEL_WIDTH * scale, WHEEL_HEIGHT * scale),
  );

  const housing = {
    x: px(counterLeft - HOUSING_PADDING),
    y: py(WHEEL_TOP - HOUSING_PADDING),
    width: (counterWidth + 2 * HOUSING_PADDING) * scale,
    height: (WHEEL_HEIGHT + 2 * HOUSING_PADDING) * scale,
  };

  const dials = DIAL_CENTRES.slice(0, pointers).map((centre) => {
    const radius = DIAL_RADIUS * scale;
    const circle = { x: px(centre.x), y: py(centre.y), radius };
    const box = pixelRect(circle.x - radius - 2 * scale, circle.y - radius - 2 * scale, 2 * radius + 4 * scale, 2 * radius + 4 * scale);
    const label = { centreX: box.x + box.width / 2, top: box.y + box.height + 2 * scale, height: 11 * scale };
    return { box, centre: { x: box.x + box.width / 2, y: box.y + box.height / 2, radius }, label };
  });

  const marks = MARK_CENTRES.map((centre) => {
    const side = 2 * (MARK_RADIUS + 3) * scale;
    const box = pixelRect(px(centre.x) - side / 2, py(centre.y) - side / 2, side, side);
    return { box, centre: { x: box.x + box.width / 2, y: box.y + box.height / 2, radius: MARK_RADIUS * scale } };
  });

  return {
    width,
    height,
    scale,
    face: { x: px(320), y: py(252), radius: 300 * scale },
    housing,
    wheels: wheelRects,
    unitLabel: { x: housing.x + housing.width + 8 * scale, y: py(WHEEL_TOP + 18), height: 30 * scale },
    dials,
    marks,
    flowStar: { x: px(320), y: py(282), radius: 24 * scale },
  };
}

/** Rounds a rectangle to whole pixels, keeping its size at least 1. */
function pixelRect(x: number, y: number, width: number, height: number): Rect {
  const left = Math.round(x);
  const top = Math.round(y);
  return { x: left, y: top, width: Math.max(1, Math.round(x + width) - left), height: Math.max(1, Math.round(y + height) - top) };
}
