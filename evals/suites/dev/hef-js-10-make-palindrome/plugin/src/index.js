import { makePalindrome } from './makePalindrome.js';

const ENTRIES = { makePalindrome };

const plugin = {
  name: 'hef-js-10-make-palindrome',

  execute(input) {
    const fn = ENTRIES[input.function ?? 'makePalindrome'];
    if (!fn) throw new RangeError(`unknown function ${input.function}`);
    const result = fn(...input.args);
    return result === undefined ? null : result;
  },

  help() {
    return 'hef-js-10-make-palindrome: call makePalindrome with { "args": [...] }';
  },
};

export default plugin;
