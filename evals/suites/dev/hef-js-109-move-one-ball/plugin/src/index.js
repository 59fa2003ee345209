import { moveOneBall } from './moveOneBall.js';

const ENTRIES = { moveOneBall };

const plugin = {
  name: 'hef-js-109-move-one-ball',

  execute(input) {
    const fn = ENTRIES[input.function ?? 'moveOneBall'];
    if (!fn) throw new RangeError(`unknown function ${input.function}`);
    const result = fn(...input.args);
    return result === undefined ? null : result;
  },

  help() {
    return 'hef-js-109-move-one-ball: call moveOneBall with { "args": [...] }';
  },
};

export default plugin;
