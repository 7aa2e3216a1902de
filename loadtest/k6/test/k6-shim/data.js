// k6/data stand-in: SharedArray runs its callback once per name and hands out copies of the
// elements (k6 keeps them as JSON and decodes one on each access), so a script that mutated an
// element, or kept anything JSON cannot carry, fails here as it would in k6.

/** @type {Map<string, string[]>} */
const arrays = new Map();

export class SharedArray {
  /**
   * @param {string} name
   * @param {() => unknown[]} callback
   */
  constructor(name, callback) {
    let elements = arrays.get(name);
    if (!elements) {
      const made = callback();
      if (!Array.isArray(made)) throw new Error('only arrays can be made into SharedArray');
      elements = made.map((e) => JSON.stringify(e));
      arrays.set(name, elements);
    }
    const json = elements;
    return new Proxy([], {
      get(_target, key) {
        if (key === 'length') return json.length;
        if (typeof key === 'string' && /^\d+$/.test(key)) return json[Number(key)] === undefined ? undefined : JSON.parse(json[Number(key)]);
        return undefined;
      },
    });
  }
}
