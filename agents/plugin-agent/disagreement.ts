/**
 * Validated fixes, in rank order, that make the failing call return different things
 * (the caller passes those the evidence ranks alike):
 * the first fix of each answer. Two or more mean the checks admit several repairs and
 * cannot tell which one is right (an overfitting patch usually has such a rival, and
 * a correct one rarely does), so proposing the first would be a guess: a person must
 * choose. Fixes whose answer could not be read (a refusal, a flaky call) take no part.
 */
export function disagreeing<T extends { answer?: { output: unknown } | undefined }>(fixes: readonly T[], same: (a: unknown, b: unknown) => boolean): T[] {
  const distinct: T[] = [];
  for (const fix of fixes) {
    const answer = fix.answer;
    if (answer && !distinct.some((d) => same(d.answer?.output, answer.output))) distinct.push(fix);
  }
  return distinct;
}
