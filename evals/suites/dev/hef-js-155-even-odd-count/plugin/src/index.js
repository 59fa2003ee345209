import { evenOddCount } from './evenOddCount.js';

const ENTRIES = { evenOddCount };

const plugin = {
  name: 'hef-js-155-even-odd-count',

  execute(input) {
    const fn = ENTRIES[input.function ?? 'evenOddCount'];
    if (!fn) throw new RangeError(`unknown function ${input.function}`);
    const result = fn(...input.args);
    return result === undefined ? null : result;
  },

  help() {
    return 'hef-js-155-even-odd-count: call evenOddCount with { "args": [...] }';
  },
};

export default plugin;
