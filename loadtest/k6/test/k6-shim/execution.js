// k6/execution stand-in: the runner sets vu.idInTest before each VU's iteration and test.options
// to the consolidated options; test.abort() stops the test as k6 does (exit 108).

/** Thrown by test.abort(); the runner turns it into k6's exit code 108. */
export class TestAborted extends Error {}

export default {
  vu: { idInTest: 1 },
  test: {
    /** @type {Record<string, any>} */
    options: {},
    /** @param {string} [reason] */
    abort(reason) {
      throw new TestAborted(`test aborted: ${reason ?? ''}`);
    },
  },
};
