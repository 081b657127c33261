//! Robust (IRLS) least-squares calibration of the model coefficients.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::calibration::error::{check_param, CalibrationError, Result};
use crate::calibration::model::{Layout, Measurement, Model, Term, TermSet};
use crate::calibration::special::inverse_mills;

/// Φ⁻¹(0.75): the MAD of a standard normal, so median(|r|)/0.6745 estimates σ.
const MAD_TO_SIGMA: f64 = 0.674_489_750_196_081_7;

/// A column whose unit-norm version keeps less than this after projecting out the earlier
/// columns is declared dependent (rank deficiency).
pub const RANK_TOLERANCE: f64 = 1e-6;

/// Loss function of the M-estimator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum RobustLoss {
    /// Ordinary (Gaussian) least squares.
    LeastSquares,
    /// Huber's loss, ψ(u) = clamp(u, −k, k) (Huber 1964; Huber 1981 *Robust Statistics* §7.8 IRLS).
    /// k = 1.345 gives 95 % efficiency at the normal.
    Huber {
        /// Tuning constant in units of the robust scale.
        k: f64,
    },
    /// Tukey's biweight, w(u) = (1 − (u/c)²)² for |u| < c, else 0 (Beaton & Tukey 1974).
    /// c = 4.685 gives 95 % efficiency. Redescending, so it is started from the Huber (k = 1.345) fit.
    Tukey {
        /// Tuning constant in units of the robust scale.
        c: f64,
    },
}

impl RobustLoss {
    /// Huber with k = 1.345 (95 % Gaussian efficiency).
    pub const HUBER_95: RobustLoss = RobustLoss::Huber { k: 1.345 };
    /// Tukey biweight with c = 4.685 (95 % Gaussian efficiency).
    pub const TUKEY_95: RobustLoss = RobustLoss::Tukey { c: 4.685 };

    /// IRLS weight w(u) = ψ(u)/u for a standardized residual u.
    fn weight(&self, u: f64) -> f64 {
        match *self {
            RobustLoss::LeastSquares => 1.0,
            RobustLoss::Huber { k } => {
                if u.abs() <= k {
                    1.0
                } else {
                    k / u.abs()
                }
            }
            RobustLoss::Tukey { c } => {
                let t = u / c;
                if t.abs() < 1.0 {
                    (1.0 - t * t) * (1.0 - t * t)
                } else {
                    0.0
                }
            }
        }
    }

    /// E[w(u)·u²] / E[w(u)] for u ~ N(0, 1): the factor by which the weighted residual variance
    /// Σw·r²/Σw underestimates σ² for Gaussian residuals. Dividing by it makes the Tobit EM scale
    /// Fisher-consistent at the normal (the same idea as the consistency constant of Huber's
    /// Proposal 2, Huber 1981 §6.4). Composite Simpson rule on [0, 12] (the integrand is even).
    fn weighted_variance_consistency(&self) -> f64 {
        if matches!(self, RobustLoss::LeastSquares) {
            return 1.0;
        }
        let (steps, upper) = (2400, 12.0);
        let h = upper / steps as f64;
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..=steps {
            let u = i as f64 * h;
            let simpson = if i == 0 || i == steps {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let phi = crate::calibration::special::normal_pdf(u);
            let w = self.weight(u);
            num += simpson * w * u * u * phi;
            den += simpson * w * phi;
        }
        if den > 0.0 && num > 0.0 {
            num / den
        } else {
            1.0
        }
    }

    /// Derivative ψ'(u).
    fn psi_prime(&self, u: f64) -> f64 {
        match *self {
            RobustLoss::LeastSquares => 1.0,
            RobustLoss::Huber { k } => {
                if u.abs() <= k {
                    1.0
                } else {
                    0.0
                }
            }
            RobustLoss::Tukey { c } => {
                let t = u / c;
                if t.abs() < 1.0 {
                    (1.0 - t * t) * (1.0 - 5.0 * t * t)
                } else {
                    0.0
                }
            }
        }
    }
}

/// What to do with censored points (RSRP at/below the receiver sensitivity: loss is a lower bound).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum CensoringPolicy {
    /// Drop them (counted in `FitResult::n_censored_excluded`). Simple, but biases the fit
    /// toward lower loss where many points are censored (far edge of coverage).
    Exclude,
    /// Tobit model (Tobin 1958) fitted by EM (Dempster, Laird & Rubin 1977): each censored
    /// loss is replaced by its conditional mean given loss ≥ bound,
    /// E = μ + σ·λ((bound − μ)/σ), λ the inverse Mills ratio, and σ² is updated with the
    /// conditional variance σ²(1 + αλ − λ²) of those points. With `RobustLoss::LeastSquares`
    /// this is the exact EM for the Gaussian Tobit likelihood. With a robust loss every row also
    /// carries an IRLS weight (a censored row: the weight at its imputed standardized residual λ)
    /// and σ² is the weighted second moment divided by its Gaussian expectation: a heuristic
    /// hybrid, not a published estimator, validated here only by simulation.
    Tobit,
}

/// Fit settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    /// Loss function.
    pub loss: RobustLoss,
    /// Treatment of censored rows.
    pub censoring: CensoringPolicy,
    /// Upper bound on IRLS/EM iterations (all stages together), ≥ 1.
    pub max_iterations: usize,
    /// Convergence: largest coefficient change (and σ change for Tobit) below this, dB.
    pub tolerance_db: f64,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            loss: RobustLoss::HUBER_95,
            censoring: CensoringPolicy::Exclude,
            max_iterations: 200,
            tolerance_db: 1e-6,
        }
    }
}

impl FitConfig {
    fn validate(&self) -> Result<()> {
        match self.loss {
            RobustLoss::LeastSquares => {}
            RobustLoss::Huber { k } => check_param(
                "loss.k",
                k,
                k > 0.0,
                "finite Huber constant > 0 (scale units)",
            )?,
            RobustLoss::Tukey { c } => check_param(
                "loss.c",
                c,
                c > 0.0,
                "finite Tukey constant > 0 (scale units)",
            )?,
        }
        if self.max_iterations == 0 {
            return Err(CalibrationError::InvalidParameter {
                name: "max_iterations",
                value: 0.0,
                expected: "at least 1 iteration",
            });
        }
        check_param(
            "tolerance_db",
            self.tolerance_db,
            self.tolerance_db > 0.0,
            "finite tolerance > 0 dB",
        )
    }
}

/// One fitted coefficient with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FittedCoefficient {
    /// Which coefficient.
    pub term: Term,
    /// Estimate (dB, dB/decade or dimensionless, see [`Term`]).
    pub value: f64,
    /// Asymptotic standard error, same unit. Assumes independent residuals: with spatially
    /// correlated shadowing it is optimistic (roughly by √(2·d_corr/spacing) for dense routes).
    /// Under `CensoringPolicy::Tobit` it treats imputed rows as observed (also optimistic).
    pub std_error: f64,
}

/// Result of a calibration fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitResult {
    /// Full model: fitted coefficients plus the fixed ones.
    pub model: Model,
    /// Fitted coefficients in column order (scalar terms, then clutter classes ascending).
    pub coefficients: Vec<FittedCoefficient>,
    /// IRLS/EM iterations performed (1 for plain least squares without censoring).
    pub iterations: usize,
    /// Whether the tolerance was reached within `max_iterations`.
    pub converged: bool,
    /// 2-norm condition number of the final weighted design matrix with columns scaled to unit
    /// norm (scale-free measure of collinearity between the fitted terms).
    pub condition_number: f64,
    /// Residual scale, dB: RMS with n − p for least squares, normalized MAD for robust losses,
    /// the EM estimate of σ for Tobit.
    pub scale_db: f64,
    /// Rows used in the fit.
    pub n_used: usize,
    /// Censored rows used (Tobit).
    pub n_censored_used: usize,
    /// Censored rows dropped (`CensoringPolicy::Exclude`).
    pub n_censored_excluded: usize,
    /// Uncensored rows whose final robust weight is below 0.5: the likely outliers
    /// (Huber k = 1.345: |residual| > 2.7 scale; Tukey c = 4.685: > 2.6 scale).
    pub n_downweighted: usize,
}

/// Gram–Schmidt rank check (modified, with one re-orthogonalization pass): the first column
/// (in term order) whose unit-norm version is within `RANK_TOLERANCE` of the span of the earlier
/// ones is reported by name.
fn rank_check(
    x: &DMatrix<f64>,
    sqrt_w: Option<&[f64]>,
    terms: &[Term],
    iteration: usize,
) -> Result<()> {
    let n = x.nrows();
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(x.ncols());
    for (j, term) in terms.iter().enumerate().take(x.ncols()) {
        let mut v: Vec<f64> = (0..n)
            .map(|i| x[(i, j)] * sqrt_w.map_or(1.0, |w| w[i]))
            .collect();
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        let deficient = |residual: f64| CalibrationError::RankDeficient {
            term: *term,
            residual,
            threshold: RANK_TOLERANCE,
            iteration,
        };
        if norm == 0.0 || !norm.is_finite() {
            return Err(deficient(0.0));
        }
        v.iter_mut().for_each(|a| *a /= norm);
        for _pass in 0..2 {
            for q in &basis {
                let d: f64 = q.iter().zip(&v).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= d * b);
            }
        }
        let residual = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if residual < RANK_TOLERANCE {
            return Err(deficient(residual));
        }
        v.iter_mut().for_each(|a| *a /= residual);
        basis.push(v);
    }
    Ok(())
}

/// Weighted least squares by Householder QR of diag(√w)·X: minimizes Σ wᵢ (yᵢ − xᵢβ)².
fn wls(x: &DMatrix<f64>, y: &[f64], w: &[f64], iteration: usize) -> Result<DVector<f64>> {
    let (n, p) = (x.nrows(), x.ncols());
    let xw = DMatrix::from_fn(n, p, |i, j| x[(i, j)] * w[i].sqrt());
    let mut yw = DVector::from_iterator(n, y.iter().zip(w).map(|(a, b)| a * b.sqrt()));
    let qr = xw.qr();
    qr.q_tr_mul(&mut yw);
    let r = qr.r();
    let rhs = yw.rows(0, p).into_owned();
    r.solve_upper_triangular(&rhs)
        .filter(|b| b.iter().all(|v| v.is_finite()))
        .ok_or(CalibrationError::SolveFailed { iteration })
}

/// Condition number of diag(√w)·X with unit-norm columns (via QR then SVD of the p×p factor).
fn condition_number(x: &DMatrix<f64>, w: &[f64]) -> f64 {
    let (n, p) = (x.nrows(), x.ncols());
    let mut xw = DMatrix::from_fn(n, p, |i, j| x[(i, j)] * w[i].sqrt());
    for mut col in xw.column_iter_mut() {
        let norm = col.norm();
        if norm > 0.0 {
            col /= norm;
        }
    }
    let r = xw.qr().r();
    match r.try_svd(false, false, 1e-14, 10_000) {
        Some(svd) => {
            let s = svd.singular_values;
            let max = s.max();
            let min = s.min();
            if min > 0.0 {
                max / min
            } else {
                f64::INFINITY
            }
        }
        None => f64::INFINITY,
    }
}

/// (XᵀX)⁻¹ from the R factor of X.
fn unscaled_covariance(x: &DMatrix<f64>, iteration: usize) -> Result<DMatrix<f64>> {
    let p = x.ncols();
    let r = x.clone().qr().r();
    let r_inv = r
        .solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or(CalibrationError::SolveFailed { iteration })?;
    Ok(&r_inv * r_inv.transpose())
}

/// Median of |r| / Φ⁻¹(0.75): the normalized MAD scale about zero used for regression
/// residuals (Huber 1981 §7.8; Venables & Ripley, MASS, `rlm`).
fn mad_scale(residuals: impl Iterator<Item = f64>) -> f64 {
    let mut a: Vec<f64> = residuals.map(f64::abs).collect();
    if a.is_empty() {
        return 0.0;
    }
    a.sort_by(f64::total_cmp);
    let m = a.len();
    let med = if m % 2 == 1 {
        a[m / 2]
    } else {
        0.5 * (a[m / 2 - 1] + a[m / 2])
    };
    med / MAD_TO_SIGMA
}

/// The regression problem: kept rows, design matrix X and target y (loss minus fixed terms).
struct Problem {
    layout: Layout,
    x: DMatrix<f64>,
    y: Vec<f64>,
    censored: Vec<bool>,
    tobit: bool,
    n: usize,
    p: usize,
    n_cens: usize,
    n_censored_excluded: usize,
}

impl Problem {
    /// Keeps the rows the censoring policy uses, lays out the columns and checks that the
    /// design is identifiable (enough uncensored rows, full column rank).
    fn new(measurements: &[Measurement], terms: &TermSet, tobit: bool) -> Result<Self> {
        let rows: Vec<Measurement> = measurements
            .iter()
            .filter(|m| tobit || !m.censored)
            .copied()
            .collect();
        let n_censored_excluded = measurements.len() - rows.len();
        let layout = Layout::new(terms, &rows)?;
        let p = layout.terms.len();
        let n = rows.len();
        let censored: Vec<bool> = rows.iter().map(|m| m.censored).collect();
        let n_cens = censored.iter().filter(|&&c| c).count();
        if n - n_cens <= p {
            return Err(CalibrationError::InsufficientData {
                n_rows: n - n_cens,
                n_coefficients: p,
            });
        }
        let x = DMatrix::from_fn(n, p, |i, j| layout.terms[j].regressor(&rows[i]));
        let y: Vec<f64> = rows
            .iter()
            .map(|m| m.measured_loss_db() - layout.fixed_part_db(m))
            .collect();
        rank_check(&x, None, &layout.terms, 0)?;
        Ok(Self {
            layout,
            x,
            y,
            censored,
            tobit,
            n,
            p,
            n_cens,
            n_censored_excluded,
        })
    }

    /// Fitted values X·b.
    fn fitted(&self, b: &DVector<f64>) -> Vec<f64> {
        (&self.x * b).iter().copied().collect()
    }

    /// RMS of the uncensored residuals with `dof` degrees of freedom.
    fn uncensored_rms(&self, mu: &[f64], dof: usize) -> f64 {
        let ss: f64 = (0..self.n)
            .filter(|&i| !self.censored[i])
            .map(|i| (self.y[i] - mu[i]).powi(2))
            .sum();
        (ss / dof.max(1) as f64).sqrt()
    }

    /// Normalized MAD scale of the uncensored residuals.
    fn uncensored_mad(&self, mu: &[f64]) -> f64 {
        mad_scale(
            (0..self.n)
                .filter(|&i| !self.censored[i])
                .map(|i| self.y[i] - mu[i]),
        )
    }
}

/// Iterate of the IRLS/EM loop.
struct IrlsState {
    beta: DVector<f64>,
    /// Tobit σ (EM estimate); the least-squares RMS before the first step.
    sigma: f64,
    weights: Vec<f64>,
    iterations: usize,
    converged: bool,
}

impl IrlsState {
    /// Starts from the unweighted least-squares solution (iteration 1).
    fn start(problem: &Problem, converged: bool) -> Result<Self> {
        let ones = vec![1.0; problem.n];
        let beta = wls(&problem.x, &problem.y, &ones, 0)?;
        let dof = problem.n - problem.n_cens - problem.p;
        let sigma = problem.uncensored_rms(&problem.fitted(&beta), dof);
        Ok(Self {
            beta,
            sigma,
            weights: ones,
            iterations: 1,
            converged,
        })
    }
}

/// How one IRLS stage ended.
enum StageEnd {
    /// Coefficient (and σ) change fell below the tolerance.
    Tolerance,
    /// Robust scale is zero or NaN: exact fit of the majority, nothing left to reweight.
    ExactFit,
    /// `max_iterations` reached.
    IterationLimit,
}

/// Loss stages: the redescending biweight is started from a Huber fit, to avoid poor local minima.
fn irls_stages(loss: RobustLoss) -> Vec<RobustLoss> {
    match loss {
        RobustLoss::Tukey { .. } => vec![RobustLoss::HUBER_95, loss],
        other => vec![other],
    }
}

/// Runs the IRLS stages in order; `converged` is set only when the last stage reaches the tolerance
/// (or the scale collapses to an exact fit).
fn run_irls(
    problem: &Problem,
    config: &FitConfig,
    stages: &[RobustLoss],
    state: &mut IrlsState,
) -> Result<()> {
    for (stage_index, stage) in stages.iter().enumerate() {
        let last_stage = stage_index + 1 == stages.len();
        match run_stage(problem, config, stage, state)? {
            StageEnd::Tolerance => {
                if last_stage {
                    state.converged = true;
                }
            }
            StageEnd::ExactFit => {
                state.converged = true;
                return Ok(());
            }
            StageEnd::IterationLimit => {
                state.converged = false;
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Iterates one loss stage: reweight (and impute censored rows), weighted solve, Tobit σ update,
/// until the change is below the tolerance.
fn run_stage(
    problem: &Problem,
    config: &FitConfig,
    stage: &RobustLoss,
    state: &mut IrlsState,
) -> Result<StageEnd> {
    let consistency = stage.weighted_variance_consistency();
    loop {
        if state.iterations >= config.max_iterations {
            return Ok(StageEnd::IterationLimit);
        }
        state.iterations += 1;
        let mu = problem.fitted(&state.beta);
        let scale = if problem.tobit {
            state.sigma
        } else {
            problem.uncensored_mad(&mu)
        };
        if scale.is_nan() || scale <= 0.0 {
            return Ok(StageEnd::ExactFit);
        }
        let y_work = reweight(problem, stage, &mu, scale, &mut state.weights);
        if state.weights.contains(&0.0) {
            let sw: Vec<f64> = state.weights.iter().map(|w| w.sqrt()).collect();
            rank_check(
                &problem.x,
                Some(&sw),
                &problem.layout.terms,
                state.iterations,
            )?;
        }
        let beta_new = wls(&problem.x, &y_work, &state.weights, state.iterations)?;
        let mut delta = (&beta_new - &state.beta).amax();
        if problem.tobit {
            let step = TobitStep {
                mu: &mu,
                y_work: &y_work,
                weights: &state.weights,
                scale,
            };
            let sigma_new =
                tobit_sigma(problem, &step, &beta_new, consistency).unwrap_or(state.sigma);
            delta = delta.max((sigma_new - state.sigma).abs());
            state.sigma = sigma_new;
        }
        state.beta = beta_new;
        if delta < config.tolerance_db {
            return Ok(StageEnd::Tolerance);
        }
    }
}

/// Sets the IRLS weights at fitted values `mu` and returns the working response: censored rows
/// get their conditional mean μ + s·λ (E-step) and the weight at the imputed residual λ, so both
/// tails are treated alike.
fn reweight(
    problem: &Problem,
    stage: &RobustLoss,
    mu: &[f64],
    scale: f64,
    weights: &mut [f64],
) -> Vec<f64> {
    let y = &problem.y;
    let mut y_work = y.clone();
    for i in 0..problem.n {
        if problem.censored[i] {
            let alpha = (y[i] - mu[i]) / scale;
            let lambda = inverse_mills(alpha);
            y_work[i] = mu[i] + scale * lambda;
            weights[i] = stage.weight(lambda);
        } else {
            weights[i] = stage.weight((y[i] - mu[i]) / scale);
        }
    }
    y_work
}

/// Inputs of one EM step that the σ update needs.
struct TobitStep<'a> {
    /// Fitted values before the step.
    mu: &'a [f64],
    /// Working response (censored rows imputed).
    y_work: &'a [f64],
    weights: &'a [f64],
    /// Scale used for the imputation.
    scale: f64,
}

/// EM update of σ: weighted second moment of the residuals at `beta_new` (plus the conditional
/// variance of the censored rows), divided by the loss's Gaussian consistency factor.
/// `None` when every weight is zero.
fn tobit_sigma(
    problem: &Problem,
    step: &TobitStep<'_>,
    beta_new: &DVector<f64>,
    consistency: f64,
) -> Option<f64> {
    let (y, mu, y_work, weights, scale) =
        (&problem.y, step.mu, step.y_work, step.weights, step.scale);
    let mu_new = problem.fitted(beta_new);
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..problem.n {
        if problem.censored[i] {
            let alpha = (y[i] - mu[i]) / scale;
            let lambda = inverse_mills(alpha);
            let cond_var = scale * scale * (1.0 + alpha * lambda - lambda * lambda);
            num += weights[i] * ((y_work[i] - mu_new[i]).powi(2) + cond_var.max(0.0));
            den += weights[i];
        } else {
            num += weights[i] * (y[i] - mu_new[i]).powi(2);
            den += weights[i];
        }
    }
    if den > 0.0 {
        Some((num / den / consistency).sqrt())
    } else {
        None
    }
}

/// Reported residual scale at the final fit: Tobit σ, RMS (n − p) for least squares, else MAD.
fn final_scale(problem: &Problem, config: &FitConfig, sigma: f64, mu: &[f64]) -> f64 {
    if problem.tobit {
        sigma
    } else if matches!(config.loss, RobustLoss::LeastSquares) {
        problem.uncensored_rms(mu, problem.n - problem.p)
    } else {
        problem.uncensored_mad(mu)
    }
}

/// Final robust weights (1 for censored rows or a degenerate scale) and the number of uncensored
/// rows weighted below 0.5.
fn final_weights(problem: &Problem, loss: RobustLoss, mu: &[f64], scale: f64) -> (Vec<f64>, usize) {
    let mut n_downweighted = 0;
    let weights: Vec<f64> = (0..problem.n)
        .map(|i| {
            let censored = problem.censored[i];
            let w = if censored || scale.is_nan() || scale <= 0.0 {
                1.0
            } else {
                loss.weight((problem.y[i] - mu[i]) / scale)
            };
            if !censored && w < 0.5 {
                n_downweighted += 1;
            }
            w
        })
        .collect();
    (weights, n_downweighted)
}

/// Huber (1981) §7.6 variance factor over the uncensored rows, multiplying (XᵀX)⁻¹:
/// K²·[Σψ²/(n−p)]/[mean ψ']²·s². Falls back to the weighted residual variance when mean ψ'
/// degenerates (possible with the redescending biweight).
fn huber_variance_factor(
    problem: &Problem,
    loss: RobustLoss,
    mu: &[f64],
    scale: f64,
    weights: &[f64],
) -> f64 {
    let y = &problem.y;
    let p = problem.p;
    let unc: Vec<usize> = (0..problem.n).filter(|&i| !problem.censored[i]).collect();
    let n_unc = unc.len() as f64;
    let s = if scale > 0.0 { scale } else { 1.0 };
    let u: Vec<f64> = unc.iter().map(|&i| (y[i] - mu[i]) / s).collect();
    let psi_sq: f64 = u.iter().map(|&v| (v * loss.weight(v)).powi(2)).sum();
    let dpsi: Vec<f64> = u.iter().map(|&v| loss.psi_prime(v)).collect();
    let m = dpsi.iter().sum::<f64>() / n_unc;
    let var_dpsi = dpsi.iter().map(|d| (d - m).powi(2)).sum::<f64>() / n_unc;
    let dof = (n_unc - p as f64).max(1.0);
    if m > 1e-12 {
        let k = 1.0 + (p as f64 / n_unc) * var_dpsi / (m * m);
        k * k * (psi_sq / dof) / (m * m) * s * s
    } else {
        unc.iter()
            .map(|&i| weights[i] * (y[i] - mu[i]).powi(2))
            .sum::<f64>()
            / dof
    }
}

/// Calibrates the coefficients selected by `terms` on `measurements`.
///
/// Target per row: measured loss minus the fixed terms. Solve: IRLS (Holland & Welsch 1977),
/// each step a Householder-QR weighted least-squares solve; robust scale re-estimated each step
/// by the normalized MAD. Standard errors: Huber's (1981, §7.6) asymptotic covariance
/// K²·[Σψ²/(n−p)]/[mean ψ']²·s²·(XᵀX)⁻¹ with K = 1 + (p/n)·var(ψ')/mean(ψ')², which reduces to
/// the textbook OLS covariance for least squares.
pub fn fit(measurements: &[Measurement], terms: &TermSet, config: &FitConfig) -> Result<FitResult> {
    config.validate()?;
    for (i, m) in measurements.iter().enumerate() {
        m.validate(i)?;
    }
    let tobit = matches!(config.censoring, CensoringPolicy::Tobit);
    let problem = Problem::new(measurements, terms, tobit)?;
    let stages = irls_stages(config.loss);
    let plain_ls = matches!(config.loss, RobustLoss::LeastSquares) && !tobit;
    let mut state = IrlsState::start(&problem, plain_ls)?;
    if !plain_ls {
        run_irls(&problem, config, &stages, &mut state)?;
    }

    // Final residuals, weights and scale at the returned coefficients.
    let mu = problem.fitted(&state.beta);
    let final_loss = *stages.last().unwrap_or(&config.loss);
    let scale = final_scale(&problem, config, state.sigma, &mu);
    let (weights, n_downweighted) = final_weights(&problem, final_loss, &mu, scale);
    let var_factor = huber_variance_factor(&problem, final_loss, &mu, scale, &weights);
    let cov = unscaled_covariance(&problem.x, state.iterations)?;
    let beta = &state.beta;
    let coefficients = problem
        .layout
        .terms
        .iter()
        .enumerate()
        .map(|(j, term)| FittedCoefficient {
            term: *term,
            value: beta[j],
            std_error: (var_factor * cov[(j, j)]).max(0.0).sqrt(),
        })
        .collect();
    let beta_vec: Vec<f64> = beta.iter().copied().collect();
    Ok(FitResult {
        model: problem.layout.model(&beta_vec),
        coefficients,
        iterations: state.iterations,
        converged: state.converged,
        condition_number: condition_number(&problem.x, &weights),
        scale_db: scale,
        n_used: problem.n,
        n_censored_used: problem.n_cens,
        n_censored_excluded: problem.n_censored_excluded,
        n_downweighted,
    })
}
