//! Radio equipment: sites and sectors, antenna patterns, link budget.

pub mod antenna;
pub mod site;

pub use site::{Sector, Site};
