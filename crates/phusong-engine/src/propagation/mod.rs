//! Radio propagation: pure path-loss and diffraction functions (no I/O).
//!
//! - [`free_space`]: free-space basic transmission loss (ITU-R P.525-4).
//! - [`hata`]: empirical Okumura-Hata (Hata 1980) and COST-231-Hata path loss.
//! - [`knife_edge`]: single knife-edge diffraction, ν parameter and J(ν) (ITU-R P.526-15).
//! - [`deygout`]: multiple knife-edge diffraction over a terrain profile (Deygout 1966), with
//!   effective-Earth curvature, plus a line-of-sight test.
//! - [`radial`]: the same Deygout evaluated incrementally at every sample of a radial (coverage engine).
//! - [`models`]: the path-loss models behind one trait, and the study's choice of one.
//! - [`tr38901`]: 3GPP TR 38.901 RMa/UMa path loss, LOS probability and shadow-fading σ.
//! - [`reliability`]: location reliability through log-normal shadowing (margins, Jakes).
//!
//! All losses are positive dB; heights in metres; frequencies in MHz.

pub mod deygout;
pub mod free_space;
pub mod hata;
pub mod itm;
pub mod knife_edge;
pub mod models;
pub mod p1812;
pub mod p2108;
pub mod radial;
pub mod reliability;
pub mod tr38901;

pub use deygout::{deygout_loss_db, line_of_sight, Profile};
pub use free_space::fspl_db;
pub use hata::{cost231_hata_db, hata_db, okumura_hata_db, Environment};
pub use knife_edge::{fresnel_nu, knife_edge_loss_db, wavelength_m};
