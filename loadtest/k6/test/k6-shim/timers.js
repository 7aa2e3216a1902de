// k6/timers stand-in: Node's timers have the same shape.
export const setTimeout = globalThis.setTimeout;
export const clearTimeout = globalThis.clearTimeout;
