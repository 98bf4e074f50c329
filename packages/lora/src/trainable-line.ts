/** PEFT's `print_trainable_parameters` line: `trainable params: N || all params: M || trainable%: P`. */
export function trainableLine(trainable: number, all: number): string {
  const percent = all > 0 ? (100 * trainable) / all : 0;
  return `trainable params: ${thousands(trainable)} || all params: ${thousands(all)} || trainable%: ${percent.toFixed(4)}`;
}

/** Python's `{:,d}`. */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
