//! The engine's errors: typed, so callers can tell a bad parameter from a model refusing a path.

use crate::propagation::itm::ItmError;
use std::borrow::Cow;

/// A parameter outside its valid range. `key` is its name in the study file (e.g.
/// `coverage.model.diffraction_weight`), `expected` the valid range with its unit.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{key} = {value}: expected {expected}")]
pub struct ParamError {
    pub key: Cow<'static, str>,
    pub value: String,
    pub expected: Cow<'static, str>,
}

impl ParamError {
    /// A bad value of `key`.
    pub fn new(
        key: impl Into<Cow<'static, str>>,
        value: impl std::fmt::Display,
        expected: impl Into<Cow<'static, str>>,
    ) -> Self {
        ParamError {
            key: key.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
    /// The same error with its key placed under `prefix` (`k_factor` → `coverage.model.k_factor`).
    pub fn under(mut self, prefix: &str) -> Self {
        self.key = format!("{prefix}.{}", self.key).into();
        self
    }
}

/// Checks that `value` is finite and within `lo..=hi`.
pub fn check_range(
    key: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    expected: &'static str,
) -> Result<(), ParamError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ParamError::new(key, value, expected))
    }
}

/// Errors returned by the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// ITM refused its inputs (NTIA's numbered errors).
    #[error("ITM: {0}")]
    Itm(#[from] ItmError),
    /// The plan's optimisation refused its input.
    #[error("plan: {0}")]
    Plan(#[from] crate::plan::PlanError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
