/**
 * An adapter's name becomes a folder under the save directory (`dir/<name>`, PEFT's layout) and a
 * segment of state-dict keys (`lora_A.<name>.weight`), so it must be one plain path segment: not
 * empty, and without `/`, `\`, `.` (which also rules out `.` and `..`) or NUL.
 */
export function assertAdapterName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || /[/\\.\0]/.test(name)) {
    throw new Error(
      `invalid adapter name ${JSON.stringify(name)}: it names a folder inside the save directory and a state-dict key segment, so it must be non-empty and contain no '/', '\\', '.' or NUL`,
    );
  }
}
