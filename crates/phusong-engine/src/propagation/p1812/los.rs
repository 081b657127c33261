//! Line-of-sight propagation including short-term effects: Rec. ITU-R P.1812-6 Annex 1 §4.2.

/// Free-space and line-of-sight losses of §4.2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LosLosses {
    /// Basic transmission loss due to free-space propagation L_bfs, dB (Eq (8)).
    pub lbfs_db: f64,
    /// LoS loss not exceeded for p % time, L_b0p, dB (Eq (10)).
    pub lb0p_db: f64,
    /// LoS loss not exceeded for β0 % time, L_b0β, dB (Eq (11)).
    pub lb0b_db: f64,
}

/// Free-space loss L_bfs = 92.4 + 20 log f + 20 log d_fs, with the slant distance
/// d_fs = sqrt(d² + ((h_ts − h_rs)/1000)²) km (§4.2, Eqs (8), (8a)); f in GHz.
pub fn free_space_db(d_km: f64, hts_m: f64, hrs_m: f64, freq_ghz: f64) -> f64 {
    let dh_km = (hts_m - hrs_m) / 1000.0;
    let dfs = (d_km * d_km + dh_km * dh_km).sqrt(); // Eq (8a)
    92.4 + 20.0 * freq_ghz.log10() + 20.0 * dfs.log10() // Eq (8)
}

/// LoS losses from the free-space loss `lbfs_db` (Eq (8)) and the multipath/focusing corrections
/// E_sp, E_sβ, which depend on the sum of the horizon distances d_lt + d_lr (§4.2, Eqs (9)–(11)).
pub fn los_losses(lbfs_db: f64, time_pct: f64, beta0_pct: f64, dlt_plus_dlr_km: f64) -> LosLosses {
    let k = 2.6 * (1.0 - (-0.1 * dlt_plus_dlr_km).exp());
    let esp = k * (time_pct / 50.0).log10(); // Eq (9a)
    let esb = k * (beta0_pct / 50.0).log10(); // Eq (9b)
    LosLosses {
        lbfs_db,
        lb0p_db: lbfs_db + esp, // Eq (10)
        lb0b_db: lbfs_db + esb, // Eq (11)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_matches_friis() {
        // Friis: L = 20 log10(4π d / λ); 10 km at 1 GHz.
        let lambda = 299_792_458.0 / 1e9;
        let friis = 20.0 * (4.0 * std::f64::consts::PI * 10_000.0 / lambda).log10();
        let l = free_space_db(10.0, 50.0, 50.0, 1.0);
        // 92.4 is the rounded constant of Eq (8): agreement to 0.05 dB.
        assert!((l - friis).abs() < 0.05, "{l} vs {friis}");
    }

    #[test]
    fn median_time_has_no_enhancement() {
        let l = los_losses(free_space_db(10.0, 50.0, 20.0, 0.9), 50.0, 5.0, 10.0);
        assert_eq!(l.lb0p_db, l.lbfs_db);
        assert!(l.lb0b_db < l.lbfs_db);
    }
}
