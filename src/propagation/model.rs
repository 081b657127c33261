//! The path-loss model a study uses: a distance-dependent base loss plus terrain diffraction.

use crate::propagation::free_space::fspl_db;
use crate::propagation::hata::{hata_db, Environment};
use serde::{Deserialize, Serialize};

/// Which model computes path loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Okumura-Hata / COST-231-Hata by band (never below free space) plus Deygout terrain diffraction
    /// over the profile (earth curvature included), weighted by `diffraction_weight`.
    #[default]
    HataDeygout,
    /// Free-space loss plus Deygout terrain diffraction: the physical lower bound of loss over terrain.
    #[serde(rename = "fspl-deygout")]
    FreeSpaceDeygout,
    /// Okumura-Hata / COST-231-Hata alone (terrain ignored).
    Hata,
}

/// Parameters of the path-loss model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    pub kind: ModelKind,
    /// Hata environment correction: urban, suburban or rural (open).
    pub environment: Environment,
    /// Effective earth-radius factor k (ITU-R P.453: 4/3 for the standard atmosphere).
    pub k_factor: f64,
    /// Weight on the Deygout diffraction loss added to Hata (Hata already contains average obstruction,
    /// so planning tools weight the explicit diffraction term; 1.0 adds it in full).
    pub diffraction_weight: f64,
    /// Extra loss on every path, dB (body loss, clutter, foliage margin).
    pub extra_loss_db: f64,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            kind: ModelKind::HataDeygout,
            environment: Environment::Suburban,
            k_factor: 4.0 / 3.0,
            diffraction_weight: 0.4,
            extra_loss_db: 0.0,
        }
    }
}

impl ModelParams {
    /// Loss without terrain diffraction at `distance_m`, dB.
    pub fn base_loss_db(
        &self,
        freq_mhz: f64,
        tx_height_m: f64,
        rx_height_m: f64,
        distance_m: f64,
    ) -> f64 {
        let d = distance_m.max(1.0);
        let fs = fspl_db(d, freq_mhz);
        let base = match self.kind {
            ModelKind::FreeSpaceDeygout => fs,
            ModelKind::HataDeygout | ModelKind::Hata => hata_db(
                freq_mhz,
                tx_height_m,
                rx_height_m,
                d / 1000.0,
                self.environment,
            )
            .max(fs),
        };
        base + self.extra_loss_db
    }
    /// Whether this model uses the terrain profile.
    pub fn uses_terrain(&self) -> bool {
        !matches!(self.kind, ModelKind::Hata)
    }
    /// Weight applied to the diffraction loss.
    pub fn diffraction_factor(&self) -> f64 {
        match self.kind {
            ModelKind::HataDeygout => self.diffraction_weight,
            ModelKind::FreeSpaceDeygout => 1.0,
            ModelKind::Hata => 0.0,
        }
    }
    /// Smallest distance (m, ≤ `max_m`) beyond which the base loss exceeds `max_loss_db`.
    pub fn range_m(
        &self,
        freq_mhz: f64,
        tx_height_m: f64,
        rx_height_m: f64,
        max_loss_db: f64,
        max_m: f64,
    ) -> f64 {
        if self.base_loss_db(freq_mhz, tx_height_m, rx_height_m, max_m) <= max_loss_db {
            return max_m;
        }
        let (mut lo, mut hi) = (1.0, max_m);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if self.base_loss_db(freq_mhz, tx_height_m, rx_height_m, mid) <= max_loss_db {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_inverts_base_loss() {
        let m = ModelParams::default();
        let r = m.range_m(900.0, 30.0, 1.5, 150.0, 60_000.0);
        assert!((m.base_loss_db(900.0, 30.0, 1.5, r) - 150.0).abs() < 0.01);
        assert!(m.base_loss_db(900.0, 30.0, 1.5, r * 1.1) > 150.0);
    }

    #[test]
    fn base_loss_never_below_free_space() {
        let m = ModelParams {
            environment: Environment::Rural,
            ..Default::default()
        };
        for d in [10.0, 100.0, 500.0, 5_000.0, 50_000.0] {
            assert!(m.base_loss_db(1800.0, 40.0, 1.5, d) >= fspl_db(d, 1800.0) - 1e-9);
        }
    }
}
