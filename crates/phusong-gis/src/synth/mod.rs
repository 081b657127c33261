//! Deterministic synthesis of the layers that cannot be obtained for a study area: a fine DEM, the study
//! outline and communes (when real ones are not given), roads, hamlets and tower positions.
//!
//! Everything is a pure function of its inputs and a `seed: u64`; results are identical at any thread
//! count. Outputs are plain library types, written by the caller to files a user can replace with real data.

pub mod clutter;
pub mod communes;
pub mod hamlets;
pub mod noise;
pub mod outline;
pub mod rng;
pub mod roads;
pub mod sites;
pub mod terrain;
pub mod villages;
