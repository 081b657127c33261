//! Counts the synthesiser needs when a scenario does not give them, each derived from the study
//! itself by a documented rule — never Nghệ An's figures in disguise. `phusong init` writes the
//! derived values into the scenario with their rule; a run lists every count in `summary.json`
//! with the rule used, or says the scenario gave it.
//!
//! Rules (constants below, with their sources):
//! - **Mountain commune**: at least 2/3 of its area at 200 m or more above sea level — the
//!   criterion for a *xã miền núi* of the Committee for Ethnic Minorities and Mountainous Areas
//!   (Decision 21/UB-QĐ, 1993), applied to ITU-R P.1511 heights on a 1 km grid.
//! - **Hamlets (thôn/bản)**: per commune, census population ÷ (households per hamlet × persons per
//!   household), rounded up: 200 households per thôn in lowland communes, 100 per bản in mountain
//!   communes (the minimum sizes of Circular 04/2012/TT-BNV, Art. 7), 3.8 persons per household
//!   (2009 Population and Housing Census). Without census communes: the study population split by
//!   the mountain share of the area.
//! - **Sites (BTS)**: half by area, half by population, at the densities of the one sourced figure
//!   the project has (Nghệ An DIC report, July 2024: 8,550 BTS on 16,490 km², 2,834,430 people in
//!   2009): 0.5 · A · 8550/16490 + 0.5 · P · 8550/2834430.
//! - **Unpowered villages**: 0 unless the scenario says (`synth.unpowered_hamlets`).
//! - **Underserved hamlets**: 9 % of the hamlets (the calibration of the example study: 450 of 5,000).
//! - **Population** (no census layer): area × 259.1 people/km² (2009 census: 85,846,997 people on
//!   331,345 km²).
//! - **Synthetic communes** (no commune layer): area ÷ 99.8 km² (Vietnam's 3,321 commune-level units
//!   since 1 July 2025 on 331,345 km²).

use crate::error::Result;
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::scenario::SynthParams;
use geo::InteriorPoint;
use phusong_engine::demand::Commune;
use phusong_engine::grid::{GridSpec, Raster};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Side of the grid the rules are evaluated on, m (independent of the study's resolution, so
/// `phusong init` and a run at any resolution derive the same counts).
pub const DERIVE_CELL_M: f64 = 1000.0;
/// Height from which ground counts as mountain, m (Decision 21/UB-QĐ, 1993).
pub const MOUNTAIN_HEIGHT_M: f64 = 200.0;
/// Share of a commune's area at or above [`MOUNTAIN_HEIGHT_M`] that makes it a mountain commune.
pub const MOUNTAIN_AREA_SHARE: f64 = 2.0 / 3.0;
/// Households per thôn in a lowland commune (Circular 04/2012/TT-BNV, Art. 7).
pub const HOUSEHOLDS_PER_THON_LOWLAND: f64 = 200.0;
/// Households per bản in a mountain commune (Circular 04/2012/TT-BNV, Art. 7).
pub const HOUSEHOLDS_PER_BAN_MOUNTAIN: f64 = 100.0;
/// Persons per household (2009 Population and Housing Census, national mean).
pub const PERSONS_PER_HOUSEHOLD: f64 = 3.8;
/// BTS per km² and per person of the sourced example (8,550 BTS, 16,490 km², 2,834,430 people).
pub const SITES_PER_KM2: f64 = 8550.0 / 16490.0;
pub const SITES_PER_PERSON: f64 = 8550.0 / 2_834_430.0;
/// Share of hamlets that are remote, powered and not yet served (the example's 450 of 5,000).
pub const UNDERSERVED_SHARE: f64 = 0.09;
/// People per km² when no census is given (2009 census over Vietnam's area).
pub const PEOPLE_PER_KM2: f64 = 85_846_997.0 / 331_345.0;
/// km² per commune-level unit (3,321 units since 1 July 2025 over 331,345 km²).
pub const KM2_PER_COMMUNE: f64 = 331_345.0 / 3321.0;

/// One count of the synthesiser: its scenario key, the value used and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountRule {
    /// Scenario key, e.g. `synth.hamlets`.
    pub key: String,
    pub value: f64,
    /// `true` when the value was derived by `rule` (including when the scenario holds the derived
    /// value, as `phusong init` writes it); `false` when the scenario gave another value.
    pub derived: bool,
    /// The documented rule and its inputs, one sentence.
    pub rule: String,
}

/// What the rules read from the study.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyFacts {
    /// Land area of the study, km² (cells of [`DERIVE_CELL_M`] inside the study area).
    pub area_km2: f64,
    /// Share of that area at or above [`MOUNTAIN_HEIGHT_M`].
    pub mountain_area_share: f64,
    /// Per commune with a census population: (population, mountain?). Empty without census.
    pub communes: Vec<(u64, bool)>,
}

impl StudyFacts {
    /// Census total when every commune has one.
    pub fn census_total(&self) -> Option<u64> {
        (!self.communes.is_empty()).then(|| self.communes.iter().map(|c| c.0).sum())
    }
}

/// Persons per hamlet for a lowland or mountain commune.
pub fn persons_per_hamlet(mountain: bool) -> f64 {
    PERSONS_PER_HOUSEHOLD
        * if mountain {
            HOUSEHOLDS_PER_BAN_MOUNTAIN
        } else {
            HOUSEHOLDS_PER_THON_LOWLAND
        }
}

/// Facts from real communes over `bounds` (study CRS, m): each commune's share of 1 km cells with
/// P.1511 heights ≥ 200 m (a commune too small for a cell centre takes the height at its interior
/// point). `populations` are the census figures (all `Some`, else no per-commune facts).
pub fn facts_from_communes(
    communes: &[Commune],
    bounds: [f64; 4],
    epsg: u32,
    p1511: &Path,
) -> Result<StudyFacts> {
    let g = GridSpec::covering(
        epsg,
        bounds[0],
        bounds[1],
        bounds[2],
        bounds[3],
        DERIVE_CELL_M,
    );
    let ids = crate::rasterize::commune_raster(&g, communes)?;
    let h = read_raster_to_grid(p1511, &g, Resample::Bilinear)?;
    let (mut cells, mut high) = (vec![0usize; communes.len()], vec![0usize; communes.len()]);
    for (i, &k) in ids.data.iter().enumerate() {
        if k >= 0 {
            cells[k as usize] += 1;
            high[k as usize] += usize::from(h.data[i] >= MOUNTAIN_HEIGHT_M as f32);
        }
    }
    let mut mountain = Vec::with_capacity(communes.len());
    for (k, c) in communes.iter().enumerate() {
        mountain.push(if cells[k] > 0 {
            high[k] as f64 >= MOUNTAIN_AREA_SHARE * cells[k] as f64
        } else {
            let p = c.geometry.interior_point();
            p.and_then(|p| h.at(p.x(), p.y()))
                .is_some_and(|v| v >= MOUNTAIN_HEIGHT_M as f32)
        });
    }
    let total: usize = cells.iter().sum();
    let area_km2 = total as f64 * (DERIVE_CELL_M / 1000.0).powi(2);
    let mountain_area_share = if total > 0 {
        high.iter().sum::<usize>() as f64 / total as f64
    } else {
        0.0
    };
    let communes = if communes.iter().all(|c| c.population.is_some()) {
        communes
            .iter()
            .zip(&mountain)
            .map(|(c, &m)| (c.population.unwrap_or(0), m))
            .collect()
    } else {
        Vec::new()
    };
    Ok(StudyFacts {
        area_km2,
        mountain_area_share,
        communes,
    })
}

/// Facts from a study area without communes: `area` is 1 on the cells (of any grid) inside the
/// study area on land; heights from P.1511 on a 1 km grid over the same bounds.
pub fn facts_from_area(area: &Raster<u8>, p1511: &Path) -> Result<StudyFacts> {
    let g = &area.spec;
    let d = GridSpec::covering(g.epsg, g.x0_m, g.y1_m(), g.x1_m(), g.y0_m, DERIVE_CELL_M);
    let h = read_raster_to_grid(p1511, &d, Resample::Bilinear)?;
    let (mut n, mut high) = (0usize, 0usize);
    for iy in 0..d.ny {
        for ix in 0..d.nx {
            let (x, y) = d.center(ix, iy);
            if area.at(x, y) == Some(1) {
                n += 1;
                high += usize::from(h.get(ix, iy) >= MOUNTAIN_HEIGHT_M as f32);
            }
        }
    }
    Ok(StudyFacts {
        area_km2: n as f64 * (DERIVE_CELL_M / 1000.0).powi(2),
        mountain_area_share: if n > 0 { high as f64 / n as f64 } else { 0.0 },
        communes: Vec::new(),
    })
}

/// The counts a study's synthesis uses, each given or derived.
#[derive(Clone, Debug, PartialEq)]
pub struct Counts {
    pub sites: usize,
    pub hamlets: usize,
    pub unpowered_hamlets: usize,
    pub underserved_hamlets: usize,
    pub population: u64,
    pub communes: usize,
    pub mountain_hamlet_share: f64,
    /// Every count with its rule, for `summary.json`.
    pub rules: Vec<CountRule>,
}

/// Resolves every count: the scenario's value where given, the rule's otherwise. `synth_communes`
/// says whether communes are synthesised (only then is their count used).
pub fn counts(s: &SynthParams, f: &StudyFacts, synth_communes: bool) -> Counts {
    let mut rules = Vec::new();
    let mut pick = |key: &str, given: Option<f64>, derived: f64, rule: String| -> f64 {
        let v = given.unwrap_or(derived);
        let same = (v - derived).abs() <= 1e-9 * derived.abs().max(1.0);
        rules.push(CountRule {
            key: format!("synth.{key}"),
            value: v,
            derived: same,
            rule: if same {
                rule
            } else {
                format!("given in the scenario (the rule would give {derived}: {rule})")
            },
        });
        v
    };
    let a = f.area_km2;
    let census = f.census_total();
    let pop_rule = match census {
        Some(p) => format!(
            "census population of the {} communes: {p}",
            f.communes.len()
        ),
        None => format!("{a:.0} km² × {PEOPLE_PER_KM2:.1} people/km² (2009 census, national)"),
    };
    let pop_derived = census.map_or((a * PEOPLE_PER_KM2).round(), |p| p as f64);
    let population = if census.is_some() {
        pick("population", None, pop_derived, pop_rule) as u64
    } else {
        pick(
            "population",
            s.population.map(|p| p as f64),
            pop_derived,
            pop_rule,
        ) as u64
    };
    let (ham, mtn_ham, ham_rule) = hamlet_rule(f, population);
    let hamlets = pick("hamlets", s.hamlets.map(|v| v as f64), ham, ham_rule) as usize;
    let share = if ham > 0.0 { mtn_ham / ham } else { 0.0 };
    let mountain_hamlet_share = pick(
        "mountain_hamlet_share",
        s.mountain_hamlet_share,
        share,
        format!(
            "hamlets of mountain communes (≥ {:.0} % of the area at ≥ {MOUNTAIN_HEIGHT_M} m, Decision 21/UB-QĐ 1993) ÷ all hamlets: {mtn_ham:.0} / {ham:.0}",
            100.0 * MOUNTAIN_AREA_SHARE
        ),
    );
    let sites_d = (0.5 * a * SITES_PER_KM2 + 0.5 * population as f64 * SITES_PER_PERSON).round();
    let sites = pick(
        "sites",
        s.sites.map(|v| v as f64),
        sites_d,
        format!(
            "0.5 × {a:.0} km² × {SITES_PER_KM2:.4} BTS/km² + 0.5 × {population} people × {:.3} BTS per 1,000 (densities of Nghệ An's 8,550 BTS, DIC report 2024)",
            1000.0 * SITES_PER_PERSON
        ),
    ) as usize;
    let unpowered_hamlets = pick(
        "unpowered_hamlets",
        Some(s.unpowered_hamlets as f64),
        0.0,
        "0 unless the scenario says (no source for another province)".into(),
    ) as usize;
    let underserved_hamlets = pick(
        "underserved_hamlets",
        s.underserved_hamlets.map(|v| v as f64),
        (UNDERSERVED_SHARE * hamlets as f64).round(),
        format!(
            "{:.0} % of {hamlets} hamlets (the example's 450 of 5,000)",
            100.0 * UNDERSERVED_SHARE
        ),
    ) as usize;
    let communes = if synth_communes {
        pick(
            "communes",
            s.communes.map(|v| v as f64),
            (a / KM2_PER_COMMUNE).round().max(1.0),
            format!(
                "{a:.0} km² ÷ {KM2_PER_COMMUNE:.1} km² per commune (3,321 units since July 2025)"
            ),
        ) as usize
    } else {
        s.communes.unwrap_or(0)
    };
    Counts {
        sites,
        hamlets: hamlets.max(usize::from(population > 0)),
        unpowered_hamlets: unpowered_hamlets.min(hamlets),
        underserved_hamlets: underserved_hamlets.min(hamlets),
        population,
        communes: communes.max(1),
        mountain_hamlet_share: mountain_hamlet_share.clamp(0.0, 1.0),
        rules,
    }
}

/// Hamlet count (total, in mountain communes) and the rule's sentence.
fn hamlet_rule(f: &StudyFacts, population: u64) -> (f64, f64, String) {
    let (low, mtn) = (persons_per_hamlet(false), persons_per_hamlet(true));
    if !f.communes.is_empty() {
        let (mut all, mut in_mtn, mut n_mtn) = (0.0, 0.0, 0usize);
        for &(p, m) in &f.communes {
            let k = (p as f64 / persons_per_hamlet(m)).ceil();
            all += k;
            if m {
                in_mtn += k;
                n_mtn += 1;
            }
        }
        let rule = format!(
            "Σ over {} communes of ⌈census population ÷ persons per hamlet⌉: {low:.0} in lowland \
             communes, {mtn:.0} in the {n_mtn} mountain communes (200 / 100 households, Circular \
             04/2012/TT-BNV; {PERSONS_PER_HOUSEHOLD} persons per household, 2009 census)",
            f.communes.len()
        );
        return (all, in_mtn, rule);
    }
    let m = f.mountain_area_share;
    let (lo, hi) = (
        (population as f64 * (1.0 - m) / low).round(),
        (population as f64 * m / mtn).round(),
    );
    let rule = format!(
        "{population} people split by the mountain share of the area ({:.0} % at ≥ {MOUNTAIN_HEIGHT_M} m): \
         ÷ {low:.0} persons per lowland thôn, ÷ {mtn:.0} per mountain bản (Circular 04/2012/TT-BNV; \
         {PERSONS_PER_HOUSEHOLD} persons per household)",
        100.0 * m
    );
    (lo + hi, hi, rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> StudyFacts {
        StudyFacts {
            area_km2: 1000.0,
            mountain_area_share: 0.5,
            // 760 people per lowland thôn, 380 per mountain bản.
            communes: vec![
                (7600, false),
                (761, false),
                (3800, true),
                (1, true),
                (0, false),
            ],
        }
    }

    #[test]
    fn hamlets_follow_the_rule_per_commune() {
        let c = counts(&SynthParams::default(), &facts(), false);
        // ⌈7600/760⌉ + ⌈761/760⌉ + ⌈3800/380⌉ + ⌈1/380⌉ + 0 = 10 + 2 + 10 + 1 = 23.
        assert_eq!(c.hamlets, 23);
        assert!((c.mountain_hamlet_share - 11.0 / 23.0).abs() < 1e-12);
        assert_eq!(c.population, 12_162);
        assert_eq!(c.unpowered_hamlets, 0);
        assert_eq!(c.underserved_hamlets, 2); // round(0.09 × 23) = 2
        let want: f64 = 0.5 * 1000.0 * 8550.0 / 16490.0 + 0.5 * 12_162.0 * 8550.0 / 2_834_430.0;
        let want = want.round();
        assert_eq!(c.sites as f64, want);
        assert!(c.rules.iter().all(|r| r.derived), "{:?}", c.rules);
        let keys: Vec<&str> = c.rules.iter().map(|r| r.key.as_str()).collect();
        for k in [
            "synth.hamlets",
            "synth.sites",
            "synth.unpowered_hamlets",
            "synth.population",
        ] {
            assert!(keys.contains(&k), "{keys:?}");
        }
    }

    #[test]
    fn nghe_an_densities_give_back_its_sites_and_given_values_are_marked() {
        // The sites rule reproduces its source figure on its source's own area and population.
        let f = StudyFacts {
            area_km2: 16_490.0,
            mountain_area_share: 0.0,
            communes: vec![(2_834_430, false)],
        };
        assert_eq!(counts(&SynthParams::default(), &f, false).sites, 8550);
        let s = SynthParams {
            sites: Some(100),
            unpowered_hamlets: 3,
            ..Default::default()
        };
        let c = counts(&s, &f, false);
        assert_eq!((c.sites, c.unpowered_hamlets), (100, 3));
        let r = c.rules.iter().find(|r| r.key == "synth.sites").unwrap();
        assert!(
            !r.derived && r.rule.contains("given in the scenario"),
            "{r:?}"
        );
        // A scenario holding exactly the derived value (as `phusong init` writes it) counts as derived.
        let s = SynthParams {
            hamlets: Some(c.hamlets),
            ..Default::default()
        };
        let r = counts(&s, &f, false).rules;
        assert!(r.iter().find(|r| r.key == "synth.hamlets").unwrap().derived);
    }

    #[test]
    fn without_census_population_and_communes_follow_the_area() {
        let f = StudyFacts {
            area_km2: 998.0,
            mountain_area_share: 0.25,
            communes: vec![],
        };
        let c = counts(&SynthParams::default(), &f, true);
        assert_eq!(c.population, (998.0 * PEOPLE_PER_KM2).round() as u64);
        assert_eq!(c.communes, 10); // 998 / 99.8
        let p = c.population as f64;
        let want = (p * 0.75 / 760.0).round() + (p * 0.25 / 380.0).round();
        assert_eq!(c.hamlets as f64, want);
    }
}
