import { describe, expect, it } from 'vitest';
import { meterReading } from './reading.ts';

const waterMeter = { wheels: 5, decimalWheels: 0, pointers: 4, rolling: true };

describe('meterReading', () => {
  it('pads the integer part with zeros', () => {
    expect(meterReading(530.0708, waterMeter).text).toBe('00530.0708');
  });

  it('keeps exact decimals despite float error', () => {
    const reading = meterReading(530.0708, waterMeter);
    expect(reading.value).toBe(530.0708);
    expect(meterReading(0.3, { ...waterMeter, pointers: 1 }).text).toBe('00000.3');
  });

  it('truncates below the last dial', () => {
    const reading = meterReading(531.82239, waterMeter);
    expect(reading.text).toBe('00531.8223');
    expect(reading.value).toBe(531.8223);
  });

  it('writes no decimal point without decimals', () => {
    const reading = meterReading(12345.9, { wheels: 5, decimalWheels: 0, pointers: 0, rolling: true });
    expect(reading.text).toBe('12345');
    expect(reading.value).toBe(12345);
  });

  it('counts decimal wheels before dials', () => {
    const reading = meterReading(530.0708, { wheels: 8, decimalWheels: 3, pointers: 1, rolling: true });
    expect(reading.text).toBe('00530.0708');
    expect(reading.pointerPositions[0]).toBeCloseTo(8, 6);
  });

  it('turns the last wheel with the dials', () => {
    const reading = meterReading(531.82, waterMeter);
    expect(reading.wheelPositions.slice(0, 4)).toEqual([0, 0, 5, 3]);
    expect(reading.wheelPositions[4]).toBeCloseTo(1.82, 9);
  });

  it('rolls higher wheels through a carry', () => {
    const reading = meterReading(199.95, { wheels: 5, decimalWheels: 0, pointers: 2, rolling: true });
    const [tenThousands, thousands, hundreds, tens, units] = reading.wheelPositions;
    expect(tenThousands).toBe(0);
    expect(thousands).toBe(0);
    expect(hundreds).toBeCloseTo(1.95, 9);
    expect(tens).toBeCloseTo(9.95, 9);
    expect(units).toBeCloseTo(9.95, 9);
  });

  it('snaps wheels when rolling is off', () => {
    const reading = meterReading(199.95, { wheels: 5, decimalWheels: 0, pointers: 2, rolling: false });
    expect(reading.wheelPositions).toEqual([0, 0, 1, 9, 9]);
  });

  it('places each needle by its factor', () => {
    const [tenths, hundredths, thousandths, tenThousandths] = meterReading(530.0708, waterMeter).pointerPositions;
    expect(tenths).toBeCloseTo(0.708, 9);
    expect(hundredths).toBeCloseTo(7.08, 9);
    expect(thousandths).toBeCloseTo(0.8, 9);
    expect(tenThousandths).toBeCloseTo(8, 9);
  });
});
