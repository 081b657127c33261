//! The one place where command-line flags become settings: model overrides on a scenario's
//! `[coverage.model]`, for every command that evaluates a model (demo, run, stages, link).

use clap::{Args, ValueEnum};
use phusong_engine::error::check_range;
use phusong_engine::propagation::hata::Environment;
use phusong_engine::propagation::models::{Model, ModelConfig};
use phusong_engine::ParamError;
use phusong_gis::scenario::Scenario;

/// Path-loss model kinds (`kind` in `[coverage.model]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelKind {
    HataDeygout,
    FsplDeygout,
    Hata,
    Itm,
    P1812,
    #[value(name = "3gpp-rma")]
    Rma,
    #[value(name = "3gpp-uma")]
    Uma,
}

impl ModelKind {
    fn model(self) -> Model {
        match self {
            ModelKind::HataDeygout => Model::HataDeygout(Default::default()),
            ModelKind::FsplDeygout => Model::FsplDeygout(Default::default()),
            ModelKind::Hata => Model::Hata(Default::default()),
            ModelKind::Itm => Model::Itm(Default::default()),
            ModelKind::P1812 => Model::P1812(Default::default()),
            ModelKind::Rma => Model::Rma(Default::default()),
            ModelKind::Uma => Model::Uma(Default::default()),
        }
    }
}

/// Hata environment classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvironmentArg {
    Urban,
    Suburban,
    #[value(alias = "open")]
    Rural,
}

impl From<EnvironmentArg> for Environment {
    fn from(e: EnvironmentArg) -> Self {
        match e {
            EnvironmentArg::Urban => Environment::Urban,
            EnvironmentArg::Suburban => Environment::Suburban,
            EnvironmentArg::Rural => Environment::Rural,
        }
    }
}

/// Overrides of the scenario's `[coverage.model]`.
#[derive(Args, Clone, Debug, Default)]
pub struct ModelArgs {
    /// Path-loss model (replaces the scenario's, with the new model's default parameters).
    #[arg(long, value_enum, value_name = "KIND")]
    pub model: Option<ModelKind>,
    /// Location reliability, % of locations (50 = median; 1–99.9).
    #[arg(long, value_name = "PCT")]
    pub reliability_pct: Option<f64>,
    /// Hata environment (hata, hata-deygout).
    #[arg(long, value_enum, value_name = "ENV")]
    pub environment: Option<EnvironmentArg>,
    /// Effective Earth-radius factor k, dimensionless (hata-deygout, fspl-deygout; 4/3 = standard
    /// atmosphere).
    #[arg(long, value_name = "K")]
    pub k_factor: Option<f64>,
    /// Share of the Deygout loss added to Hata, 0–1 (hata-deygout).
    #[arg(long, value_name = "W")]
    pub diffraction_weight: Option<f64>,
}

impl ModelArgs {
    /// Applies the overrides to `cfg` and validates the result.
    pub fn apply(&self, cfg: &mut ModelConfig) -> Result<(), ParamError> {
        if let Some(kind) = self.model {
            cfg.model = kind.model();
        }
        if let Some(r) = self.reliability_pct {
            cfg.location_reliability_pct = r;
        }
        let kind = cfg.kind();
        let not_for = |flag: &'static str, v: String| {
            ParamError::new(flag, v, format!("not used by the {kind} model"))
        };
        if let Some(e) = self.environment {
            match &mut cfg.model {
                Model::HataDeygout(m) => m.environment = e.into(),
                Model::Hata(m) => m.environment = e.into(),
                _ => return Err(not_for("--environment", format!("{e:?}").to_lowercase())),
            }
        }
        if let Some(k) = self.k_factor {
            match &mut cfg.model {
                Model::HataDeygout(m) => m.k_factor = k,
                Model::FsplDeygout(m) => m.k_factor = k,
                _ => return Err(not_for("--k-factor", k.to_string())),
            }
        }
        if let Some(w) = self.diffraction_weight {
            match &mut cfg.model {
                Model::HataDeygout(m) => m.diffraction_weight = w,
                _ => return Err(not_for("--diffraction-weight", w.to_string())),
            }
        }
        cfg.validate()
    }
}

/// Overrides of a scenario's study choices: coverage threshold, operator, tower budget.
#[derive(Args, Clone, Debug, Default)]
pub struct StudyOverrides {
    /// Outdoor coverage threshold on RSRP, dBm (−160 to −30; replaces `[coverage]
    /// threshold_rsrp_dbm`).
    #[arg(long, value_name = "DBM", allow_hyphen_values = true)]
    pub threshold_dbm: Option<f64>,
    /// Keep only this operator's existing sites (name as in the sites' `operator` column,
    /// case-insensitive); default: every operator's sites.
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Most new towers to propose, towers (0–100000; replaces `[plan] budget`).
    #[arg(long, value_name = "N")]
    pub budget: Option<usize>,
    /// Money budget in the scenario's currency (`[plan.costs] currency`, default USD; 0–1e15):
    /// the plan maximises coverage for at most this capital cost instead of a tower count.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub budget_money: Option<f64>,
}

impl StudyOverrides {
    /// Applies the overrides to the scenario's settings, each checked under its flag's name (the
    /// caller validates the whole scenario afterwards).
    pub fn apply(&self, s: &mut Scenario) -> Result<(), ParamError> {
        if let Some(t) = self.threshold_dbm {
            // Checked here too so the message names the flag.
            check_range("--threshold-dbm", t, -160.0, -30.0, "−160 to −30 dBm")?;
            s.coverage.threshold_rsrp_dbm = t;
        }
        if let Some(op) = &self.operator {
            s.operator = Some(op.clone());
        }
        if let Some(b) = self.budget {
            if b > phusong_engine::plan::params::MAX_BUDGET {
                return Err(ParamError::new("--budget", b, "0–100000 towers"));
            }
            s.plan.budget = b;
        }
        if let Some(m) = self.budget_money {
            let max = phusong_engine::plan::params::MAX_BUDGET_MONEY;
            if !(m.is_finite() && (0.0..=max).contains(&m)) {
                return Err(ParamError::new(
                    "--budget-money",
                    m,
                    format!(
                        "0–1e15 {} (the scenario's [plan.costs] currency)",
                        s.plan.costs.currency
                    ),
                ));
            }
            s.plan.budget_money = Some(m);
        }
        Ok(())
    }
}

/// The effective Earth-radius factor of a model's geometry (4/3 when it has none of its own).
pub fn k_factor_of(cfg: &ModelConfig) -> f64 {
    match &cfg.model {
        Model::HataDeygout(m) => m.k_factor,
        Model::FsplDeygout(m) => m.k_factor,
        // ITU-R P.1812-6 Eq (5): k50 = 157 / (157 − ΔN).
        Model::P1812(m) => 157.0 / (157.0 - m.delta_n_per_km),
        _ => phusong_engine::propagation::deygout::DEFAULT_K_FACTOR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_in_one_place_and_are_validated() {
        let mut cfg = ModelConfig::default();
        let args = ModelArgs {
            environment: Some(EnvironmentArg::Rural),
            diffraction_weight: Some(0.7),
            ..Default::default()
        };
        args.apply(&mut cfg).unwrap();
        match &cfg.model {
            Model::HataDeygout(m) => {
                assert_eq!(m.environment, Environment::Rural);
                assert_eq!(m.diffraction_weight, 0.7);
            }
            other => panic!("{other:?}"),
        }
        let bad = ModelArgs {
            diffraction_weight: Some(5.0),
            ..Default::default()
        };
        let e = bad.apply(&mut cfg).unwrap_err().to_string();
        assert!(e.contains("coverage.model.diffraction_weight"), "{e}");
        let wrong = ModelArgs {
            model: Some(ModelKind::Itm),
            k_factor: Some(1.2),
            ..Default::default()
        };
        let e = wrong
            .apply(&mut ModelConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("--k-factor") && e.contains("itm"), "{e}");
    }
}
