import type { Element, Resolved } from './roll-over.ts';

/** Writes the resolved digits as the meter shows them, with the decimal point; null when a digit is missing. */
export function composeText(elements: Element[], resolved: Resolved[], extended: boolean, shift: number, issues: string[]): string | null {
  if (elements.length === 0 || resolved.some((item) => item.digit === null)) return null;

  const places = elements.map((element) => element.place);
  const highest = Math.max(...places);
  const lowest = Math.min(...places);
  const byPlace = new Map(elements.map((element, index) => [element.place, resolved[index]!.digit!]));
  if (byPlace.size !== elements.length || byPlace.size !== highest - lowest + 1) {
    issues.push('wheels and dials do not cover consecutive decimal places: check the dial factors in the layout');
    return null;
  }

  let digits = '';
  for (let place = highest; place >= lowest; place -= 1) digits += String(byPlace.get(place));
  let lowestPlace = lowest;
  if (extended) {
    const finest = resolved[elements.findIndex((element) => element.place === lowest)]!;
    digits += String(Math.floor(((finest.continuous ?? 0) % 1) * 10));
    lowestPlace -= 1;
  }
  return placePoint(digits, highest, lowestPlace, shift);
}

// Writes `digits` (places `highest` .. `lowest`) with the decimal point moved by `shift`.
function placePoint(digits: string, highest: number, lowest: number, shift: number): string {
  const top = highest + shift;
  const bottom = lowest + shift;
  const padded = (bottom > 0 ? digits + '0'.repeat(bottom) : digits);
  const integerCount = top + 1;
  if (bottom >= 0) return padded;
  if (integerCount <= 0) return `0.${'0'.repeat(-integerCount)}${padded}`;
  return `${padded.slice(0, integerCount)}.${padded.slice(integerCount)}`;
}

