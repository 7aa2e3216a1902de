// k6/execution stand-in: the runner sets vu.idInTest before it starts each VU's iteration.
export default { vu: { idInTest: 1 } };
