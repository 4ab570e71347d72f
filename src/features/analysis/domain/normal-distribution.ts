/** √(2π), for the continued fraction of the far tail. */
const sqrtTwoPi = 2.506628274631;

/**
 * Upper tail of the standard normal distribution, P(Z > z), accurate to about 1e-8 relative
 * error over the whole range (so tiny p-values keep their digits instead of rounding to 0).
 *
 * Hart's double-precision algorithm 5666 as given by G. West, "Better approximations to
 * cumulative normal functions", Wilmott Magazine (2005), figure 2: a rational function up to
 * |z| = 10/√2 and a continued fraction beyond.
 *
 * @example normalSurvival(1.96) // 0.0249978951482...
 */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = Math.abs(z);
  let tail: number;
  if (x > 37) {
    tail = 0;
  } else if (x < 7.07106781186547) {
    const exponential = Math.exp((-x * x) / 2);
    let numerator = 3.52624965998911e-2 * x + 0.700383064443688;
    numerator = numerator * x + 6.37396220353165;
    numerator = numerator * x + 33.912866078383;
    numerator = numerator * x + 112.079291497871;
    numerator = numerator * x + 221.213596169931;
    numerator = numerator * x + 220.206867912376;
    let denominator = 8.83883476483184e-2 * x + 1.75566716318264;
    denominator = denominator * x + 16.064177579207;
    denominator = denominator * x + 86.7807322029461;
    denominator = denominator * x + 296.564248779674;
    denominator = denominator * x + 637.333633378831;
    denominator = denominator * x + 793.826512519948;
    denominator = denominator * x + 440.413735824752;
    tail = (exponential * numerator) / denominator;
  } else {
    let fraction = x + 0.65;
    fraction = x + 4 / fraction;
    fraction = x + 3 / fraction;
    fraction = x + 2 / fraction;
    fraction = x + 1 / fraction;
    tail = Math.exp((-x * x) / 2) / fraction / sqrtTwoPi;
  }
  return z >= 0 ? tail : 1 - tail;
}

/**
 * Cumulative distribution function of the standard normal distribution, P(Z ≤ z).
 *
 * @example normalCdf(1.96) // 0.9750021048517...
 */
export function normalCdf(z: number): number {
  return normalSurvival(-z);
}
