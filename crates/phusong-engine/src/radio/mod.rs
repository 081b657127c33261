//! Radio equipment: sites and sectors, antenna patterns, link budget.

pub mod antenna;
pub mod pattern;
pub mod site;

pub use pattern::AntennaPattern;
pub use site::{Sector, Site};
