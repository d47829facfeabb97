/**
 * L2-regularised logistic regression, fitted by Newton's method (IRLS) with step halving: deterministic (same data,
 * same parameters, bit for bit), no dependency, about 0.1–0.3 s for 20,000 rows × 35 features.
 *
 * Objective: Σ logloss(yᵢ, σ(b + w·xᵢ)) + λ/2 · |w|²  — the intercept b is not penalised. The penalty is on the
 * scale of the inputs, so give it standardised features (features.ts `encodeFacts` does).
 *
 * Parameters (`LogisticParams`) are plain JSON (stored in risk_models.params). Explaining a prediction:
 *   logit(x) = base + Σⱼ contributionⱼ,  base = b + w·mean,  contributionⱼ = wⱼ·(xⱼ − meanⱼ)
 * where mean is the training mean of x: a contribution is how far that feature moves this order's logit away from
 * the training average order. `contributions` returns them with `base` and `logit`, additive exactly (up to
 * floating-point rounding).
 */

export interface LogisticParams {
  kind: 'logistic';
  /** Feature names, in input order (copied from the feature spec). */
  names: string[];
  intercept: number;
  weights: number[];
  /** Training means of the inputs (≈ 0 for standardised inputs): the reference of the contributions. */
  means: number[];
  lambda: number;
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** λ, the L2 penalty on the weights (default 2). */
  lambda?: number;
  maxIterations?: number;
  /** Stop when no parameter moves more than this in an iteration (default 1e-8). */
  tolerance?: number;
}

export const DEFAULT_LAMBDA = 2;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A x = b for a symmetric positive definite A (row-major m×m) by Cholesky. */
function choleskySolve(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('logistic: the Hessian is not positive definite');
        l[i * m + i] = Math.sqrt(s);
      } else {
        l[i * m + j] = s / l[j * m + j]!;
      }
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * m + k]! * y[k]!;
    y[i] = s / l[i * m + i]!;
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < m; k++) s -= l[k * m + i]! * x[k]!;
    x[i] = s / l[i * m + i]!;
  }
  return x;
}

/**
 * Fits the model on rows `x` (each of `names.length` numbers) and 0/1 labels `y`. Throws on an empty or
 * ragged input, non-finite values, or labels other than 0/1.
 */
export function fitLogistic(
  x: readonly (readonly number[])[],
  y: readonly number[],
  names: readonly string[],
  options: LogisticOptions = {},
): LogisticParams {
  const n = x.length;
  const d = names.length;
  if (n === 0) throw new RangeError('fitLogistic: no rows');
  if (y.length !== n) throw new RangeError('fitLogistic: x and y differ in length');
  const lambda = options.lambda ?? DEFAULT_LAMBDA;
  if (!(lambda >= 0)) throw new RangeError('fitLogistic: lambda must be ≥ 0');
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-8;

  // Column 0 is the intercept's 1.
  const m = d + 1;
  const rows = new Float64Array(n * m);
  const labels = new Float64Array(n);
  const means = new Array<number>(d).fill(0);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const row = x[i]!;
    if (row.length !== d) throw new RangeError(`fitLogistic: row ${i} has ${row.length} values, expected ${d}`);
    const label = y[i]!;
    if (label !== 0 && label !== 1) throw new RangeError(`fitLogistic: label ${i} is ${label}, expected 0 or 1`);
    labels[i] = label;
    positives += label;
    rows[i * m] = 1;
    for (let j = 0; j < d; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new RangeError(`fitLogistic: row ${i} feature ${names[j]} is not finite`);
      rows[i * m + j + 1] = v;
      means[j]! += v;
    }
  }
  for (let j = 0; j < d; j++) means[j]! /= n;

  const beta = new Float64Array(m);
  // Start at the base rate (clamped so an all-0 or all-1 training set still gives a finite start).
  const rate = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  beta[0] = Math.log(rate / (1 - rate));

  const objective = (b: Float64Array): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < m; j++) z += rows[i * m + j]! * b[j]!;
      // log(1 + e^z) − y·z, computed stably.
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - labels[i]! * z;
    }
    for (let j = 1; j < m; j++) total += (lambda / 2) * b[j]! ** 2;
    return total;
  };

  let current = objective(beta);
  let iterations = 0;
  let converged = false;
  const gradient = new Float64Array(m);
  const hessian = new Float64Array(m * m);
  while (iterations < maxIterations) {
    iterations++;
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < n; i++) {
      const offset = i * m;
      let z = 0;
      for (let j = 0; j < m; j++) z += rows[offset + j]! * beta[j]!;
      const p = sigmoid(z);
      const residual = p - labels[i]!;
      const w = p * (1 - p);
      for (let a = 0; a < m; a++) {
        const xa = rows[offset + a]!;
        gradient[a]! += residual * xa;
        const wxa = w * xa;
        for (let b = 0; b <= a; b++) hessian[a * m + b]! += wxa * rows[offset + b]!;
      }
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) hessian[b * m + a] = hessian[a * m + b]!;
    for (let j = 1; j < m; j++) {
      gradient[j]! += lambda * beta[j]!;
      hessian[j * m + j]! += lambda;
    }
    // A whisker of ridge on every diagonal keeps Cholesky defined for degenerate (e.g. separable, λ = 0) data.
    for (let j = 0; j < m; j++) hessian[j * m + j]! += 1e-10;
    const step = choleskySolve(hessian, gradient, m);

    let scale = 1;
    let candidate = new Float64Array(m);
    let value = current;
    for (let halving = 0; halving < 30; halving++) {
      candidate = beta.map((b, j) => b - scale * step[j]!);
      value = objective(candidate);
      if (value <= current + 1e-12 * Math.abs(current)) break;
      scale /= 2;
    }
    let moved = 0;
    for (let j = 0; j < m; j++) moved = Math.max(moved, Math.abs(candidate[j]! - beta[j]!));
    beta.set(candidate);
    current = value;
    if (moved < tolerance) {
      converged = true;
      break;
    }
  }

  return {
    kind: 'logistic',
    names: [...names],
    intercept: beta[0]!,
    weights: Array.from(beta.subarray(1)),
    means,
    lambda,
    iterations,
    converged,
  };
}

/** The logit b + w·x. */
export function logitOf(params: LogisticParams, x: readonly number[]): number {
  if (x.length !== params.weights.length) {
    throw new RangeError(`logistic: got ${x.length} features, the model has ${params.weights.length}`);
  }
  let z = params.intercept;
  for (let j = 0; j < x.length; j++) z += params.weights[j]! * x[j]!;
  return z;
}

/** The predicted probability. */
export function predictLogistic(params: LogisticParams, x: readonly number[]): number {
  return sigmoid(logitOf(params, x));
}

export interface LogitContributions {
  /** The logit of the training-average order: intercept + w·mean. */
  base: number;
  /** Per feature, in `names` order: wⱼ·(xⱼ − meanⱼ). */
  contributions: number[];
  /** base + Σ contributions = the model's logit for x. */
  logit: number;
  probability: number;
}

export function contributionsOf(params: LogisticParams, x: readonly number[]): LogitContributions {
  const logit = logitOf(params, x);
  let base = params.intercept;
  const contributions = params.weights.map((w, j) => {
    base += w * params.means[j]!;
    return w * (x[j]! - params.means[j]!);
  });
  return { base, contributions, logit, probability: sigmoid(logit) };
}

/** The model as an object: `predict(x)` → probability, `contributions(x)` → logit contributions. */
export interface LogisticModel {
  readonly params: LogisticParams;
  predict(x: readonly number[]): number;
  contributions(x: readonly number[]): LogitContributions;
}

export function logisticModel(params: LogisticParams): LogisticModel {
  return {
    params,
    predict: (x) => predictLogistic(params, x),
    contributions: (x) => contributionsOf(params, x),
  };
}
