/** How one meter value appears on a meter with a given set of wheels and dials. */
export interface MeterReading {
  /** The value as the meter shows it: truncated to the resolution of the last wheel or dial. */
  value: number;
  /** The shown value with leading zeros, for example `00530.0708`. */
  text: string;
  /** Position of each wheel, most significant first, in [0, 10): 3.5 shows half a 3 and half a 4. */
  wheelPositions: number[];
  /** Position of each dial's needle, x0.1 first, in [0, 10): 36 degrees per unit, clockwise from 12 o'clock. */
  pointerPositions: number[];
}

export interface MeterShape {
  wheels: number;
  decimalWheels: number;
  pointers: number;
  rolling: boolean;
}

/**
 * Float products such as 530.0708 * 10^4 = 5300707.9999999991 would truncate one unit low,
 * so a scaled value this close to an integer counts as that integer.
 */
const INTEGER_SNAP = 1e-6;

/** Computes what a meter of `shape` shows for `value`: text, truncated value, wheel and needle positions. */
export function meterReading(value: number, shape: MeterShape): MeterReading {
  const decimals = shape.decimalWheels + shape.pointers;
  const units = snapToInteger(value * 10 ** decimals);
  const shownUnits = Math.floor(units);

  return {
    value: shownUnits / 10 ** decimals,
    text: formatUnits(shownUnits, shape.wheels - shape.decimalWheels, decimals),
    wheelPositions: wheelPositions(units / 10 ** shape.pointers, shape.wheels, shape.rolling).map(roundPosition),
    pointerPositions: Array.from({ length: shape.pointers }, (_, index) =>
      roundPosition(positiveModulo(units / 10 ** (shape.pointers - index - 1), 10)),
    ),
  };
}

function snapToInteger(scaled: number): number {
  const nearest = Math.round(scaled);
  return Math.abs(scaled - nearest) < INTEGER_SNAP ? nearest : scaled;
}

/**
 * Rounds away float error such as 7.080000000001746; a nanounit is far below one pixel of needle
 * travel. A position that rounds up to 10 wraps to 0, so positions stay in [0, 10).
 */
function roundPosition(position: number): number {
  const rounded = Math.round(position * 1e9) / 1e9;
  return rounded >= 10 ? rounded - 10 : rounded;
}

function formatUnits(units: number, integerDigits: number, decimals: number): string {
  const digits = String(units).padStart(integerDigits + decimals, '0');
  if (decimals === 0) return digits;
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * Positions of odometer wheels for `count` in units of the last wheel. The last wheel turns
 * continuously; each higher wheel advances only while every wheel below it passes from 9 to 0.
 */
function wheelPositions(count: number, wheels: number, rolling: boolean): number[] {
  const positions: number[] = new Array<number>(wheels);
  let below = positiveModulo(count, 10);
  positions[wheels - 1] = rolling ? below : Math.floor(below);

  for (let index = wheels - 2; index >= 0; index -= 1) {
    const place = 10 ** (wheels - 1 - index);
    const digit = Math.floor(positiveModulo(count / place, 10));
    const carry = rolling ? Math.max(0, below - 9) : 0;
    below = digit + carry;
    positions[index] = below;
  }
  return positions;
}

function positiveModulo(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
