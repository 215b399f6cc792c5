import { InvalidOptionError } from '../errors.ts';

/**
 * A meter whose value grows with a constant flow, like a water meter on a running tap. Both the
 * virtual camera and the simulated device read their true value from one of these.
 */
export interface FlowingMeterOptions {
  /** Value at start, in m³. Default 0. */
  startValue?: number;
  /** Flow in m³ per hour; 0 stops the meter. Default 0.5 (a running shower is about 0.5-0.8). */
  flowM3PerHour?: number;
  /** Values wrap to 0 at this limit, as an odometer rolls over: 10^(integer wheels). Default 100000. */
  rollover?: number;
  /** Clock in milliseconds; tests pass a fake one. Default `Date.now`. */
  clock?: () => number;
}

const MILLISECONDS_PER_HOUR = 3_600_000;

export class FlowingMeter {
  private baseValue: number;
  private baseTime: number;
  private flow: number;
  private readonly rollover: number;
  private readonly clock: () => number;

  constructor(options: FlowingMeterOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.rollover = options.rollover ?? 100_000;
    this.flow = checkFlow(options.flowM3PerHour ?? 0.5);
    this.baseValue = checkValue(options.startValue ?? 0, this.rollover, 'startValue');
    this.baseTime = this.clock();
  }

  /** Returns the true value now, in m³, wrapped at the rollover limit. */
  value(): number {
    const elapsedHours = (this.clock() - this.baseTime) / MILLISECONDS_PER_HOUR;
    return (this.baseValue + this.flow * elapsedHours) % this.rollover;
  }

  /** Flow in m³ per hour. */
  flowM3PerHour(): number {
    return this.flow;
  }

  /** Sets the value from now on; the flow continues from it. */
  setValue(value: number): void {
    this.baseValue = checkValue(value, this.rollover, 'value');
    this.baseTime = this.clock();
  }

  /** Changes the flow from now on, keeping the value reached so far. */
  setFlow(flowM3PerHour: number): void {
    this.baseValue = this.value();
    this.baseTime = this.clock();
    this.flow = checkFlow(flowM3PerHour);
  }
}

function checkValue(value: number, rollover: number, path: string): number {
  if (Number.isFinite(value) && value >= 0 && value < rollover) return value;
  throw new InvalidOptionError('meter', [{ path, received: value, message: `must be a number of m³ from 0 to below ${rollover}` }]);
}

function checkFlow(flow: number): number {
  if (Number.isFinite(flow) && flow >= 0 && flow <= 10_000) return flow;
  throw new InvalidOptionError('meter', [{ path: 'flowM3PerHour', received: flow, message: 'must be a number of m³/h from 0 to 10000' }]);
}
