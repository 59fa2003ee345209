import { isSimplePower } from './isSimplePower.js';

const ENTRIES = { isSimplePower };

const plugin = {
  name: 'hef-js-76-is-simple-power',

  execute(input) {
    const fn = ENTRIES[input.function ?? 'isSimplePower'];
    if (!fn) throw new RangeError(`unknown function ${input.function}`);
    const result = fn(...input.args);
    return result === undefined ? null : result;
  },

  help() {
    return 'hef-js-76-is-simple-power: call isSimplePower with { "args": [...] }';
  },
};

export default plugin;
