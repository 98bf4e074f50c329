/** Whether two shapes are equal axis by axis (`[2, 3]` is not `[6]` nor `[3, 2]`). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
