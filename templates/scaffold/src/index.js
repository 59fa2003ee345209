export default {
  name: '{{name}}',

  execute(input) {
    return { text: input.text };
  },

  help() {
    return '{{name}}: {{description}}\nInput: { "text": string }. Output: { "text": string }.';
  },
};
