import type { Check } from '../types.ts';
import { makeCheck, round } from './checks.ts';

export interface VerificationInput {
  /** Value the reader composed from the image. */
  readValue: number;
  unit: string;
  /** Value the installer read on the meter; null when none was given. */
  expectedValue: number | null;
  /** Largest accepted difference, in the meter's unit. */
  tolerance: number;
  meterSerial: string;
  /** Serial number the installer read on the meter's plate; null when none was given. */
  confirmedSerial: string | null;
}

/** Stage 4: the value read from the image matches the installer's, and so does the serial number. */
export function verificationChecks(input: VerificationInput): Check[] {
  return [valueCheck(input), serialCheck(input)];
}

function valueCheck(input: VerificationInput): Check {
  if (input.expectedValue === null) {
    return makeCheck('value_matches', 'failed', {
      measured: input.readValue,
      threshold: null,
      unit: input.unit,
      message: 'No value from the meter was given to compare with.',
      advice: 'Type the value the meter shows now as expected_value and validate again.',
    });
  }

  const difference = round(Math.abs(input.readValue - input.expectedValue), 6);
  const matches = difference <= input.tolerance;
  const threshold = { min: round(input.expectedValue - input.tolerance, 6), max: round(input.expectedValue + input.tolerance, 6) };
  return makeCheck('value_matches', matches ? 'passed' : 'failed', {
    measured: input.readValue,
    threshold,
    unit: input.unit,
    message: matches
      ? `The camera reads ${input.readValue} ${input.unit}, within ${input.tolerance} of the ${input.expectedValue} typed.`
      : `The camera reads ${input.readValue} ${input.unit} but ${input.expectedValue} was typed: ${difference} apart, more than ${input.tolerance}.`,
    advice:
      'Check the typed value against the meter. If it is right, the camera reads another meter or the layout marks the wrong wheels: check the meter serial, the ROIs and the decimal shift.',
  });
}

function serialCheck(input: VerificationInput): Check {
  const threshold = { equals: input.meterSerial };
  if (input.confirmedSerial === null) {
    return makeCheck('meter_serial_matches', 'failed', {
      measured: null,
      threshold,
      message: 'No serial number from the meter plate was given.',
      advice: "Type the serial number printed on the meter's plate as meter_serial and validate again.",
    });
  }

  const matches = normalizeSerial(input.confirmedSerial) === normalizeSerial(input.meterSerial);
  return makeCheck('meter_serial_matches', matches ? 'passed' : 'failed', {
    measured: input.confirmedSerial,
    threshold,
    message: matches ? `The serial number on the plate matches meter ${input.meterSerial}.` : `The plate shows ${input.confirmedSerial}, but this session installs meter ${input.meterSerial}.`,
    advice: 'The camera is on another meter than the one this session installs: move it, or start a session for the meter on the plate.',
  });
}

/** Serial numbers compare without case and surrounding spaces, as installers type them. */
function normalizeSerial(serial: string): string {
  return serial.trim().toUpperCase();
}
