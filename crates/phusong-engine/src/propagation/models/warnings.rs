//! Counted model warnings: evaluations outside a model's published validity, ITM's warning flags
//! and ITM's refusals, summed per run and reported in `coverage.json`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Something a model reported about one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warning {
    /// Hata family outside its published range: Okumura-Hata 150–1500 MHz, COST-231-Hata
    /// 1500–2000 MHz; base height 30–200 m; mobile height 1–10 m; distance 1–20 km.
    HataFrequency,
    HataBaseHeight,
    HataMobileHeight,
    HataDistance,
    /// TR 38.901 Table 7.4.1-1 applicability ranges (distance, heights, frequency).
    Tr38901Range,
    /// One of ITM's warning flags (bit index 0–15, NTIA's `warn` bits).
    ItmFlag(u8),
    /// ITM refused the path with this NTIA error code (1000–1022, 1099); the cell gets no value.
    ItmError(u16),
    /// ITU-R P.1812 outside its path lengths (0.25–3000 km, §1).
    P1812Distance,
    /// ITU-R P.1812 refused the path (an input outside its validity); the cell gets no value.
    P1812Refused,
}

impl Warning {
    /// Stable name used as the key in reports.
    pub fn name(&self) -> String {
        match self {
            Warning::HataFrequency => "hata: frequency outside 150–2000 MHz".into(),
            Warning::HataBaseHeight => "hata: base height outside 30–200 m".into(),
            Warning::HataMobileHeight => "hata: mobile height outside 1–10 m".into(),
            Warning::HataDistance => "hata: distance outside 1–20 km".into(),
            Warning::Tr38901Range => "tr38901: outside Table 7.4.1-1 applicability".into(),
            Warning::ItmFlag(b) => format!("itm: warning 0x{:04x}", 1u32 << b),
            Warning::ItmError(c) => format!("itm: error {c} (path refused, no value)"),
            Warning::P1812Distance => "p1812: distance outside 0.25–3000 km".into(),
            Warning::P1812Refused => "p1812: path refused (no value)".into(),
        }
    }
}

/// Counts of warnings over many evaluations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Warnings {
    /// Model evaluations made.
    pub evaluations: u64,
    /// Evaluations per warning (an evaluation may carry several).
    pub counts: BTreeMap<String, u64>,
    #[serde(skip)]
    fast: BTreeMap<Warning, u64>,
}

impl Warnings {
    /// Counts `n` more occurrences of `w`.
    pub fn add(&mut self, w: Warning, n: u64) {
        *self.fast.entry(w).or_default() += n;
    }
    /// Counts each set bit of ITM's warning flags.
    pub fn add_itm_flags(&mut self, flags: u32) {
        let mut f = flags;
        while f != 0 {
            let b = f.trailing_zeros();
            self.add(Warning::ItmFlag(b as u8), 1);
            f &= f - 1;
        }
    }
    /// Adds another count into this one.
    pub fn merge(&mut self, other: &Warnings) {
        self.evaluations += other.evaluations;
        for (w, n) in &other.fast {
            *self.fast.entry(*w).or_default() += n;
        }
        for (k, n) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += n;
        }
    }
    /// Moves the counts into their named form (for reports).
    pub fn finish(mut self) -> Warnings {
        for (w, n) in std::mem::take(&mut self.fast) {
            *self.counts.entry(w.name()).or_default() += n;
        }
        self
    }
    /// Count of one warning (before or after [`Warnings::finish`]).
    pub fn count(&self, w: Warning) -> u64 {
        self.fast.get(&w).copied().unwrap_or(0) + self.counts.get(&w.name()).copied().unwrap_or(0)
    }
    /// Paths a model refused.
    pub fn refusals(&self) -> u64 {
        let fast: u64 = self
            .fast
            .iter()
            .filter(|(w, _)| matches!(w, Warning::ItmError(_)))
            .map(|(_, n)| n)
            .sum();
        let named: u64 = self
            .counts
            .iter()
            .filter(|(k, _)| k.starts_with("itm: error"))
            .map(|(_, n)| n)
            .sum();
        fast + named
    }
}
