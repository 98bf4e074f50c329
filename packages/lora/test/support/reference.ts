/** Float64 matrix math on plain arrays, independent of the code under test. */
import type * as tf from '@tensorflow/tfjs-core';

export type Matrix = number[][];

export const matmul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));

export const transpose = (m: Matrix): Matrix => m[0].map((_, j) => m.map((r) => r[j]));

export const add = (a: Matrix, b: Matrix): Matrix => a.map((r, i) => r.map((v, j) => v + b[i][j]));

export const scale = (a: Matrix, s: number): Matrix => a.map((r) => r.map((v) => v * s));

export const addRow = (a: Matrix, row: number[]): Matrix =>
  a.map((r) => r.map((v, j) => v + row[j]));

export async function matrix(t: tf.Tensor): Promise<Matrix> {
  return (await t.array()) as Matrix;
}

export async function vector(t: tf.Tensor): Promise<number[]> {
  return (await t.array()) as number[];
}
