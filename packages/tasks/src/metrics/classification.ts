/**
 * Classification metrics as the reference computes them with scikit-learn: `accuracy_score` and
 * `f1_score(average='macro')`. Labels may be numbers or strings.
 */

type Label = number | string;

function checkPairs(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, metric: string): void {
  if (yTrue.length !== yPred.length) {
    throw new Error(`${metric}: ${yTrue.length} true labels but ${yPred.length} predictions`);
  }
  if (yTrue.length === 0) throw new Error(`${metric}: no labels given`);
}

/** The fraction of predictions equal to the true label. */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkPairs(yTrue, yPred, 'accuracy');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * The unweighted mean of per-class F1 over every label that occurs in `yTrue` or `yPred`; a class
 * that is only ever predicted, or never predicted, scores 0 (scikit-learn's default).
 */
export function macroF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkPairs(yTrue, yPred, 'macroF1');
  const counts = new Map<Label, { tp: number; fp: number; fn: number }>();
  const entry = (label: Label) => {
    let c = counts.get(label);
    if (!c) {
      c = { tp: 0, fp: 0, fn: 0 };
      counts.set(label, c);
    }
    return c;
  };
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === yPred[i]) entry(yTrue[i]).tp++;
    else {
      entry(yTrue[i]).fn++;
      entry(yPred[i]).fp++;
    }
  }
  let sum = 0;
  // F1 = 2tp / (2tp + fp + fn); every listed class has at least one of them.
  for (const { tp, fp, fn } of counts.values()) sum += (2 * tp) / (2 * tp + fp + fn);
  return sum / counts.size;
}

/** The dev scores a classification task reports each epoch (accuracy first: it picks the best). */
export function devClassificationScores(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
): { dev_accuracy: number; dev_macro_f1: number } {
  return { dev_accuracy: accuracy(yTrue, yPred), dev_macro_f1: macroF1(yTrue, yPred) };
}
