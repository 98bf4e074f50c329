import type { Module } from '@lgpt/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A deep copy of a module tree with its own variables, like PyTorch's `copy.deepcopy(module)`
 * (PEFT copies each `modules_to_save` module this way).
 *
 * `@lgpt/core` has no `Module.clone()` yet, so this works on what a `Module` is at runtime: own
 * properties, among them `Map` registries of parameters, buffers and children. Registries are rebuilt
 * with copies; every other property is copied, and one that referenced a registered parameter, buffer
 * or child (typed fields such as `this.weight`, a `ModuleList`'s items) references its copy. A
 * variable shared inside the tree stays shared in the copy.
 */
export function cloneModule<M extends Module>(module: M): M {
  return cloneTree(module, new Map()) as M;
}

type Copies = Map<unknown, unknown>;

function cloneTree(module: object, copies: Copies): object {
  const copy = Object.create(Object.getPrototypeOf(module)) as Record<string, unknown>;
  copies.set(module, copy);
  const entries = Object.entries(module);
  // Registries first, so the plain fields below can be pointed at the copies they hold.
  for (const [key, value] of entries) {
    if (value instanceof Map)
      copy[key] = new Map([...value].map(([k, v]) => [k, cloneEntry(v, copies)]));
  }
  for (const [key, value] of entries) {
    if (!(value instanceof Map)) copy[key] = remap(value, copies);
  }
  return copy;
}

function cloneEntry(value: unknown, copies: Copies): unknown {
  const known = copies.get(value);
  if (known) return known;
  if (value instanceof tf.Variable) {
    const variable = tf.variable(value, value.trainable);
    copies.set(value, variable);
    return variable;
  }
  if (value instanceof tf.Tensor) {
    const tensor = tf.keep(tf.clone(value));
    copies.set(value, tensor);
    return tensor;
  }
  if (isBufferEntry(value)) {
    const tensor = tf.keep(tf.clone(value.tensor));
    copies.set(value.tensor, tensor);
    return { ...value, tensor };
  }
  if (value !== null && typeof value === 'object') return cloneTree(value, copies);
  return value;
}

function isBufferEntry(value: unknown): value is { tensor: tf.Tensor } {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { tensor?: unknown }).tensor instanceof tf.Tensor
  );
}

function remap(value: unknown, copies: Copies): unknown {
  if (copies.has(value)) return copies.get(value);
  return Array.isArray(value) ? value.map((v) => remap(v, copies)) : value;
}
