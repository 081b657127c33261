//! Model calibration from drive tests (phusong_engine::calibration): recovery of known coefficients,
//! robust fitting, hygiene, rank deficiency, cross-validation and the shadowing generator.

mod common;
mod cv_and_stats;
mod hygiene;
mod rank_and_errors;
mod recovery;
mod robust;
mod shadowing;
