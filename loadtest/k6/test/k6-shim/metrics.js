// k6/metrics stand-in: records every value so the runner can build k6's summary data.

/** @type {Map<string, { type: 'trend' | 'counter', values: number[] }>} */
export const recorded = new Map();

class Metric {
  /**
   * @param {string} name
   * @param {'trend' | 'counter'} type
   */
  constructor(name, type) {
    this.values = /** @type {number[]} */ ([]);
    recorded.set(name, { type, values: this.values });
  }

  /** @param {number} value */
  add(value) {
    this.values.push(value);
  }
}

export class Trend extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'trend');
  }
}

export class Counter extends Metric {
  /** @param {string} name */
  constructor(name) {
    super(name, 'counter');
  }
}
